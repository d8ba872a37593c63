class ReadError(Exception):
    """The input cannot be read as a document.  The message is one Chinese sentence for the user;
    `reason` is a short stable English tag for logs and the corpus database."""

    def __init__(self, message: str, reason: str = "unreadable"):
        super().__init__(message)
        self.reason = reason
