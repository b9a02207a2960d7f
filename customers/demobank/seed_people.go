package demobank

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// The demo bank's people: names, phone numbers and identity documents that
// look real and are not. Every phone number is a pure function of the
// customer's index, so no two customers share one.

type surname struct{ zh, pinyin, cantonese string }

var surnames = []surname{
	{"王", "Wang", "Wong"}, {"李", "Li", "Lee"}, {"张", "Zhang", "Cheung"}, {"刘", "Liu", "Lau"},
	{"陈", "Chen", "Chan"}, {"杨", "Yang", "Yeung"}, {"黄", "Huang", "Wong"}, {"赵", "Zhao", "Chiu"},
	{"吴", "Wu", "Ng"}, {"周", "Zhou", "Chow"}, {"徐", "Xu", "Tsui"}, {"孙", "Sun", "Suen"},
	{"马", "Ma", "Ma"}, {"朱", "Zhu", "Chu"}, {"胡", "Hu", "Wu"}, {"郭", "Guo", "Kwok"},
	{"何", "He", "Ho"}, {"林", "Lin", "Lam"}, {"罗", "Luo", "Law"}, {"高", "Gao", "Ko"},
	{"郑", "Zheng", "Cheng"}, {"梁", "Liang", "Leung"}, {"谢", "Xie", "Tse"}, {"宋", "Song", "Sung"},
}

type given struct{ zh, pinyin string }

var givenNames = []given{
	{"伟", "Wei"}, {"芳", "Fang"}, {"娜", "Na"}, {"敏", "Min"}, {"静", "Jing"}, {"丽", "Li"},
	{"强", "Qiang"}, {"磊", "Lei"}, {"军", "Jun"}, {"洋", "Yang"}, {"勇", "Yong"}, {"艳", "Yan"},
	{"杰", "Jie"}, {"娟", "Juan"}, {"涛", "Tao"}, {"明", "Ming"}, {"超", "Chao"}, {"秀英", "Xiuying"},
	{"霞", "Xia"}, {"平", "Ping"}, {"刚", "Gang"}, {"桂英", "Guiying"}, {"建华", "Jianhua"}, {"晓燕", "Xiaoyan"},
	{"子涵", "Zihan"}, {"浩然", "Haoran"}, {"欣怡", "Xinyi"}, {"宇轩", "Yuxuan"}, {"思远", "Siyuan"}, {"雨桐", "Yutong"},
}

var englishFirst = []string{"Oliver", "Amelia", "James", "Olivia", "William", "Emily", "Henry", "Charlotte",
	"Thomas", "Sophie", "Daniel", "Grace", "Michael", "Emma", "David", "Hannah", "Robert", "Lucy", "George", "Isla"}

var englishLast = []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
	"Clarke", "Walker", "Wright", "Robinson", "Thompson", "Hughes", "Edwards", "Green", "Hall", "Wood", "Miller", "Evans"}

var companies = []struct{ zh, en string }{
	{"华信贸易", "Huaxin Trading"}, {"东方精密制造", "Dongfang Precision Manufacturing"}, {"长江物流", "Changjiang Logistics"},
	{"锦程科技", "Jincheng Technology"}, {"瑞丰食品", "Ruifeng Foods"}, {"海纳建材", "Haina Building Materials"},
	{"博远医药", "Boyuan Pharmaceutical"}, {"恒泰纺织", "Hengtai Textiles"},
}

// country is where a customer lives: the phone numbering plan, zone, region
// names and the language the bank serves them in.
type country struct {
	code      string // E.164 country code
	zones     []string
	regions   []string
	english   bool // English names and service language
	cantonese bool // Cantonese romanisation of Chinese names
}

var (
	china = country{code: "86", zones: []string{"Asia/Shanghai"},
		regions: []string{"Beijing", "Shanghai", "Guangdong", "Zhejiang", "Jiangsu", "Sichuan", "Shandong", "Hubei", "Fujian", "Tianjin"}}
	hongKong = country{code: "852", zones: []string{"Asia/Hong_Kong"}, regions: []string{"Hong Kong"}, cantonese: true}
	britain  = country{code: "44", zones: []string{"Europe/London"}, regions: []string{"London", "Manchester", "Edinburgh"}, english: true}
	america  = country{code: "1", zones: []string{"America/New_York", "America/Los_Angeles"}, regions: []string{"New York", "California"}, english: true}
)

// countryOf: mostly mainland China, some Hong Kong, Britain and America.
func countryOf(r *rand.Rand) country {
	switch u := r.IntN(100); {
	case u < 86:
		return china
	case u < 93:
		return hongKong
	case u < 97:
		return britain
	}
	return america
}

// scramble maps i one-to-one onto [0, mod) (mod a power of ten, mult odd
// and not a multiple of 5), so numbers look random and never repeat.
func scramble(i, mult, mod uint64) uint64 { return (i*mult + 7_654_321) % mod }

// Mobile prefixes that are valid numbers in each plan, so that every seeded
// phone passes phone.Normalize.
var (
	cnPrefixes = []string{"130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
		"153", "155", "156", "157", "158", "159", "166", "177", "180", "182", "183", "185", "186", "187", "188", "189", "199"}
	hkPrefixes = []string{"61", "63", "64", "65", "69", "94", "96", "97"}
	ukPrefixes = []string{"7400", "7500", "7800", "7900", "7912", "7956", "7984", "7720"}
	usAreas    = []string{"212", "646", "415", "312", "617", "206", "213", "305"}
)

// phoneOf is the customer's unique, valid mobile number. alt selects a
// second number space for alternative phones, used with the mainland plan
// only (a Hong Kong or overseas customer's second phone is a mainland one).
// The digits after the prefix
// are a one-to-one function of i modulo a power of ten, and the prefix
// changes from one such block to the next, so numbers are unique for the
// first eight million customers (Seed allows at most MaxSeedCustomers).
func phoneOf(c country, i uint64, alt bool) string {
	var off uint64
	if alt {
		off = 1
	}
	pick := func(p []string, block uint64) string {
		return p[(i+i/block+off*uint64(len(p)/2))%uint64(len(p))]
	}
	switch c.code {
	case "86":
		return "+86" + pick(cnPrefixes, 1e8) + pad(scramble(i, 2_654_435_761, 1e8), 8)
	case "852":
		return "+852" + pick(hkPrefixes, 1e6) + pad(scramble(i, 48_271, 1e6), 6)
	case "44":
		return "+44" + pick(ukPrefixes, 1e6) + pad(scramble(i, 69_621, 1e6), 6)
	}
	d := (i*16_807 + 7_654_321) % 8e6 // one-to-one on [0, 8e6): exchange 200-999, line
	return "+1" + pick(usAreas, 8e6) + strconv.FormatUint(200+d/1e4, 10) + pad(d%1e4, 4)
}

func pad(n uint64, width int) string {
	s := strconv.FormatUint(n, 10)
	return strings.Repeat("0", width-len(s)) + s
}

// personName returns the name (pinyin, Cantonese or English) and the Chinese
// name, if any.
func personName(r *rand.Rand, c country) (string, string) {
	if c.english {
		return englishFirst[r.IntN(len(englishFirst))] + " " + englishLast[r.IntN(len(englishLast))], ""
	}
	s := surnames[r.IntN(len(surnames))]
	g := givenNames[r.IntN(len(givenNames))]
	family := s.pinyin
	if c.cantonese {
		family = s.cantonese
	}
	return family + " " + g.pinyin, s.zh + g.zh
}

func companyName(r *rand.Rand, c country) (string, string) {
	co := companies[r.IntN(len(companies))]
	city := c.regions[r.IntN(len(c.regions))]
	if c.english {
		return co.en + " " + city + " Ltd", ""
	}
	return city + " " + co.en + " Co., Ltd.", co.zh + "有限公司"
}

// nationalID returns an identity number in the country's usual form. Mainland
// numbers carry a correct GB 11643 check character; the county codes are
// real, the people are not.
func nationalID(r *rand.Rand, c country, birth string) string {
	switch c.code {
	case "86":
		counties := []string{"110101", "310104", "440305", "330106", "320102", "510107"}
		body := counties[r.IntN(len(counties))] + birth + pad(uint64(r.IntN(1000)), 3)
		return body + checkChar(body)
	case "852":
		return string(rune('A'+r.IntN(26))) + pad(uint64(r.IntN(1e6)), 6) + "(" + strconv.Itoa(r.IntN(10)) + ")"
	case "44": // National Insurance numbers with the unallocated prefix QQ
		return "QQ" + pad(uint64(r.IntN(1e6)), 6) + string(rune('A'+r.IntN(4)))
	}
	return "9" + pad(uint64(r.IntN(100)), 2) + "-" + pad(uint64(r.IntN(100)), 2) + "-" + pad(uint64(r.IntN(1e4)), 4)
}

// checkChar is the ISO 7064 MOD 11-2 check character of a 17-digit body.
func checkChar(body string) string {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(body[i]-'0') * weights[i]
	}
	return string("10X98765432"[sum%11])
}
