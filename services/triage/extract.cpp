#include "extract.h"

#include <cstdlib>
#include <unordered_map>
#include <vector>

namespace cq::triage {

std::u32string to_u32(const std::string& s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    char32_t cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (std::size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

namespace {

int digit_of(char32_t c) {
  switch (c) {
    case U'零': case U'〇': return 0;
    case U'一': case U'壹': return 1;
    case U'二': case U'两': case U'贰': return 2;
    case U'三': case U'叁': return 3;
    case U'四': case U'肆': return 4;
    case U'五': case U'伍': return 5;
    case U'六': case U'陆': return 6;
    case U'七': case U'柒': return 7;
    case U'八': case U'捌': return 8;
    case U'九': case U'玖': return 9;
  }
  return -1;
}

long unit_of(char32_t c) {
  switch (c) {
    case U'十': case U'拾': return 10;
    case U'百': case U'佰': return 100;
    case U'千': case U'仟': return 1000;
    case U'万': return 10000;
    case U'亿': return 100000000;
  }
  return 0;
}

bool arabic(char32_t c) { return (c >= U'0' && c <= U'9') || c == U'.' || (c >= U'０' && c <= U'９'); }
bool chinese_numeral(char32_t c) { return digit_of(c) >= 0 || unit_of(c) > 0; }

// Counts occurrences of any of the words in one pass over the text, trying
// only the words that start with the character at hand.
class WordCounter {
 public:
  WordCounter(std::initializer_list<const char32_t*> words) {
    for (const char32_t* w : words) by_first_[w[0]].push_back(w);
  }
  int count(const std::u32string& text) const {
    int n = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      auto it = by_first_.find(text[i]);
      if (it == by_first_.end()) continue;
      for (const auto& w : it->second)
        if (text.compare(i, w.size(), w) == 0) {
          ++n;
          i += w.size() - 1;
          break;
        }
    }
    return n;
  }

 private:
  std::unordered_map<char32_t, std::vector<std::u32string>> by_first_;
};

}  // namespace

double parse_number(const std::u32string& s) {
  if (s.empty()) return -1;
  if (arabic(s[0])) {
    std::string ascii;
    for (char32_t c : s) {
      if (c >= U'０' && c <= U'９') c = c - U'０' + U'0';
      if (!arabic(c)) return -1;
      ascii.push_back(static_cast<char>(c));
    }
    char* end = nullptr;
    double v = std::strtod(ascii.c_str(), &end);
    return end && *end == 0 ? v : -1;
  }
  // Chinese: sections split by 亿/万; inside, digit-unit pairs.
  double total = 0, section = 0;
  int pending = -1;
  long last_unit = 0;  // the unit just before a trailing digit: 一万五 = 15000, 两千五 = 2500
  for (char32_t c : s) {
    int d = digit_of(c);
    long u = unit_of(c);
    if (d >= 0) {
      pending = d;
    } else if (u == 10000 || u == 100000000) {
      section += pending > 0 ? pending : 0;
      total += (section == 0 ? 1 : section) * u;
      section = 0;
      pending = -1;
      last_unit = u;
    } else if (u > 0) {
      section += (pending >= 0 ? pending : 1) * u;  // "十二" = 12
      pending = -1;
      last_unit = u;
    } else {
      return -1;
    }
  }
  if (pending > 0 && last_unit >= 100 && s.size() >= 2 && digit_of(s[s.size() - 2]) < 0)
    return total + section + pending * (last_unit / 10);  // a lone digit after a unit is the next place down
  return total + section + (pending > 0 ? pending : 0);
}

TextFeatures extract(const std::string& utf8) {
  TextFeatures f;
  std::u32string t = to_u32(utf8);
  f.chars = t.size();
  for (std::size_t i = 0; i < t.size(); ++i) {
    char32_t c = t[i];
    if (c == U'!' || c == U'！') ++f.exclamations;
    // Amounts: a number, an optional multiplier, then 元 / 块 / 万元.
    if (c == U'元' || c == U'块') {
      std::size_t j = i;
      double mult = 1;
      if (j > 0 && (t[j - 1] == U'万' || t[j - 1] == U'千' || t[j - 1] == U'百') ) {
        // "5万元": the 万 belongs to the number for Arabic digits only
        if (j > 1 && arabic(t[j - 2])) {
          mult = unit_of(t[j - 1]);
          --j;
        }
      }
      std::size_t start = j;
      while (start > 0 && (arabic(t[start - 1]) || chinese_numeral(t[start - 1]))) --start;
      if (start < j) {
        double v = parse_number(t.substr(start, j - start));
        if (v > 0) f.amounts_yuan.push_back(v * mult);
      }
    }
    // Time parts: a number followed by 年 / 月 / 日 / 号 / 时 / 点.
    if ((c == U'年' || c == U'月' || c == U'日' || c == U'号' || c == U'时' || c == U'点') && i > 0 &&
        (arabic(t[i - 1]) || digit_of(t[i - 1]) >= 0 || unit_of(t[i - 1]) == 10)) {
      if (c == U'年') f.year = true;
      else if (c == U'月') f.month = true;
      else if (c == U'日' || c == U'号') f.day = true;
      else f.clock = true;
    }
  }
  static const WordCounter clock{U"上午", U"下午", U"中午", U"晚上", U"凌晨", U"傍晚"};
  static const WordCounter festivals{U"春节", U"中秋", U"国庆", U"端午", U"元旦", U"清明"};
  static const WordCounter places{U"办公室", U"会议室", U"饭店", U"酒店", U"宾馆", U"农家乐", U"茶楼", U"家中", U"住所",
                       U"工地", U"小区", U"学校", U"医院", U"门口", U"水库", U"路", U"街", U"村", U"镇",
                       U"广场", U"停车场", U"菜市场", U"仓库", U"车上"};
  static const WordCounter witnesses{U"知情人", U"证人", U"在场", U"目击", U"可以作证", U"能证明", U"同席", U"亲眼"};
  static const WordCounter evidence{U"照片", U"录音", U"录像", U"视频", U"转账", U"流水", U"收据", U"发票", U"合同",
                         U"截图", U"聊天记录", U"复印件", U"花名册", U"账本", U"凭证", U"公示"};
  static const WordCounter abuse{U"贪官", U"坏透", U"狗官", U"畜生", U"混蛋", U"王八蛋", U"不得好死", U"人渣", U"败类",
                      U"恶霸", U"枪毙", U"垃圾", U"无耻", U"滚出", U"土皇帝", U"蛀虫", U"大家都恨"};
  static const WordCounter hedges{U"听说", U"据说", U"好像", U"可能", U"大家都知道", U"有人说", U"传言", U"不详", U"估计",
                       U"似乎", U"据传", U"听别人"};
  if (clock.count(t) > 0) f.clock = true;
  if (festivals.count(t) > 0) f.month = true;
  f.places = places.count(t);
  f.witnesses = witnesses.count(t);
  f.evidence = evidence.count(t);
  f.abuse = abuse.count(t);
  f.hedges = hedges.count(t);
  return f;
}

}  // namespace cq::triage
