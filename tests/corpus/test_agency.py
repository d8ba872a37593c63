"""Agency keys, levels, kinds and places, on names as they appear in real reports."""

import pytest

from xxgk.agency import agency_key, base_name, describe, group_keys, same_agency

KEYS = [
    ("榆阳区古塔镇人民政府", "榆阳区古塔镇"),
    ("榆陽區古塔鎮人民政府", "榆阳区古塔镇"),  # Traditional
    ("榆阳区 古塔镇 人民政府", "榆阳区古塔镇"),  # spaces from PDF extraction
    ("古塔镇党委政府", "古塔镇"),
    ("原州区河川乡", "原州区河川乡"),
    ("乌拉特前旗额尔登布拉格苏木人民政府", "乌拉特前旗额尔登布拉格苏木"),
    ("石家庄市长安区建设北街街道办事处", "石家庄市长安区建设北街街道"),
    ("石家庄市長安區建設北街街道辦事處", "石家庄市长安区建设北街街道"),
    ("榆林经济技术开发区管理委员会", "榆林经济技术开发区"),
    ("榆林经济技术开发区管委会", "榆林经济技术开发区"),
    ("某市卫生健康委员会", "某市卫生健康"),
    ("某市卫生健康委", "某市卫生健康"),
    ("某县人民政府办公室", "某县政府办公室"),  # the office is not the government
    ("某县政府办公室", "某县政府办公室"),
    ("某县政府办", "某县政府办公室"),
    ("某省人民政府办公厅", "某省政府办公厅"),
    ("中共某县委员会", "某县"),
    ("某县人民政府（本级）", "某县"),
    ("ＸＸ市教育局", "XX市教育局"),  # full-width letters
    ("委员会", "委员会"),  # never stripped to nothing
    (None, None),
    ("", None),
]


@pytest.mark.parametrize("name,key", KEYS)
def test_agency_key(name, key):
    assert agency_key(name) == key


DESCRIBE = [
    # name, level, kind, regions
    ("榆阳区古塔镇人民政府", "乡镇街道", "政府", ("榆阳区", "古塔镇")),
    ("乌拉特前旗额尔登布拉格苏木人民政府", "乡镇街道", "政府", ("乌拉特前旗", "额尔登布拉格苏木")),
    ("赤壁市官塘驿镇", "乡镇街道", "政府", ("赤壁市", "官塘驿镇")),
    ("广州市番禺区市桥街道办事处", "乡镇街道", "政府", ("广州市", "番禺区", "市桥街道")),
    ("西山县青山镇社会事务办公室", "乡镇街道", "部门", ("西山县", "青山镇")),
    ("易县塘湖镇人民政府", "乡镇街道", "政府", ("易县", "塘湖镇")),
    ("榆林市榆阳区人民政府", "县级", "政府", ("榆林市", "榆阳区")),
    ("陕西省榆林市榆阳区教育局", "县级", "部门", ("陕西省", "榆林市", "榆阳区")),
    ("榆阳区住房和城乡建设局", "县级", "部门", ("榆阳区",)),  # 城乡 is not a place
    ("某县市场监督管理局", "县级", "部门", ("某县",)),
    ("易县人民政府", "县级", "政府", ("易县",)),
    ("长阳土家族自治县人民政府", "县级", "政府", ("长阳土家族自治县",)),
    ("咸宁市赤壁市人民政府", "县级", "政府", ("咸宁市", "赤壁市")),  # county-level city under a prefecture
    ("黔东南苗族侗族自治州凯里市", "县级", "政府", ("黔东南苗族侗族自治州", "凯里市")),
    ("北京市东城区人民政府", "县级", "政府", ("北京市", "东城区")),
    ("上海市浦东新区人民政府", "县级", "政府", ("上海市", "浦东新区")),
    ("榆林经济技术开发区管委会", "县级", "政府", ("榆林经济技术开发区",)),
    ("恩施土家族苗族自治州人民政府", "地市级", "政府", ("恩施土家族苗族自治州",)),
    ("新疆维吾尔自治区伊犁哈萨克自治州财政局", "地市级", "部门", ("新疆维吾尔自治区", "伊犁哈萨克自治州")),
    ("湖北省人民政府", "省级", "政府", ("湖北省",)),
    ("湖北省教育厅", "省级", "部门", ("湖北省",)),
    ("广西壮族自治区人民政府", "省级", "政府", ("广西壮族自治区",)),
    ("重庆市人民政府", "省级", "政府", ("重庆市",)),
    ("重庆市生态环境局", "省级", "部门", ("重庆市",)),
    ("教育部", "国务院部门", "部门", ()),
    ("国家税务总局", "国务院部门", "部门", ()),
    ("海关总署", "国务院部门", "部门", ()),
    ("国家税务总局榆林市榆阳区税务局", "县级", "部门", ("榆林市", "榆阳区")),  # vertical body, local office
    ("赤壁市人民政府", None, "政府", ("赤壁市",)),  # prefecture-level or county-level: cannot tell
    ("榆林市卫生健康委员会", None, "部门", ("榆林市",)),
    ("教育局", None, "部门", ()),
]


@pytest.mark.parametrize("name,level,kind,regions", DESCRIBE)
def test_describe(name, level, kind, regions):
    info = describe(name)
    assert (info.level, info.kind, info.regions) == (level, kind, regions)


def test_region_slots():
    info = describe("陕西省榆林市榆阳区古塔镇人民政府")
    assert (info.province, info.prefecture, info.county, info.township) == ("陕西省", "榆林市", "榆阳区", "古塔镇")
    assert info.region == "陕西省榆林市榆阳区古塔镇"
    assert info.base == "古塔镇"
    t = describe("赤壁市官塘驿镇")
    assert (t.province, t.prefecture, t.county, t.township) == (None, None, "赤壁市", "官塘驿镇")


def test_places_stated_in_the_report_qualify_a_bare_name():
    lines = ["欢迎访问原州区一平垣乡 返回首页", "", "2023年，一平垣乡在区政府的正确领导下"]
    info = describe("一平垣乡", lines)
    assert info.key == "原州区一平垣乡"
    assert info.regions == ("原州区", "一平垣乡") and info.county == "原州区"
    # two different places stated: not told
    assert describe("一平垣乡", ["原州区一平垣乡", "西吉县一平垣乡"]).key == "一平垣乡"
    # nested statements agree: the fullest wins
    assert describe("官塘驿镇", ["赤壁市官塘驿镇", "咸宁市赤壁市官塘驿镇"]).key == "咸宁市赤壁市官塘驿镇"
    # a name that states its places is kept as it is
    assert describe("赤壁市官塘驿镇", ["咸宁市赤壁市官塘驿镇"]).key == "赤壁市官塘驿镇"


def test_base_name():
    assert base_name("陕西省榆林市榆阳区古塔镇") == "古塔镇"
    assert base_name("榆阳区教育局") == "教育局"
    assert base_name("古塔镇") == "古塔镇"
    assert base_name("榆阳区") == "榆阳区"


def test_same_agency():
    assert same_agency("榆阳区古塔镇人民政府", "古塔镇")
    assert same_agency("陕西省榆林市榆阳区古塔镇", "榆陽區古塔鎮人民政府")
    assert same_agency("古塔镇人民政府", "古塔镇党委政府")
    assert not same_agency("榆阳区古塔镇", "神木市古塔镇")
    assert not same_agency("某县人民政府办公室", "某县人民政府")
    assert not same_agency("某县", None)
    assert not same_agency("青山镇", "东湖区白河镇")


def test_group_keys():
    g = group_keys(["古塔镇", "榆阳区古塔镇", "陕西省榆林市榆阳区古塔镇", "河川乡", "原州区河川乡", "某县教育局"])
    assert g["古塔镇"] == g["榆阳区古塔镇"] == "陕西省榆林市榆阳区古塔镇"
    assert g["河川乡"] == "原州区河川乡"
    assert g["某县教育局"] == "某县教育局"
    # the bare name could be either of two organs: it joins neither
    g = group_keys(["古塔镇", "榆阳区古塔镇", "神木市古塔镇"])
    assert g == {"古塔镇": "古塔镇", "榆阳区古塔镇": "榆阳区古塔镇", "神木市古塔镇": "神木市古塔镇"}
    # but the fuller key of one of them still has a unique root
    g = group_keys(["古塔镇", "榆阳区古塔镇", "榆林市榆阳区古塔镇", "神木市古塔镇"])
    assert g["榆阳区古塔镇"] == "榆林市榆阳区古塔镇" and g["古塔镇"] == "古塔镇"
