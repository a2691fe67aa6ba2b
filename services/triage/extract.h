// What triage reads in a report's Chinese text: amounts (元/万元, Arabic and
// Chinese numerals), specific times, places, witnesses, evidence, abusive
// language and hedging ("听说", "据说"). Plain scanning over code points; no
// guessing beyond these documented cues.
#pragma once

#include <string>
#include <vector>

namespace cq::triage {

struct TextFeatures {
  std::vector<double> amounts_yuan;  // every amount found, in yuan
  bool year = false, month = false, day = false, clock = false;  // parts of a specific time
  int places = 0;     // place words (办公室, 饭店, 村, 镇, …)
  int witnesses = 0;  // witness words (知情人, 在场, 证人, …)
  int evidence = 0;   // evidence words (照片, 录音, 转账记录, 合同, …)
  int abuse = 0;      // abusive words (贪官, 坏透了, 狗官, …)
  int hedges = 0;     // hedging words (听说, 据说, 好像, 大家都知道, …)
  int exclamations = 0;
  std::size_t chars = 0;  // code points

  // A time a verifier can check: a month or a day, or a year with more.
  bool specific_time() const { return month || day || (year && clock); }
};

TextFeatures extract(const std::string& utf8);

// Parses a number written in Arabic digits ("3.5", "20000") or Chinese
// numerals ("五", "十二", "两千三百", "一万五"); -1 if it is neither.
double parse_number(const std::u32string& s);

std::u32string to_u32(const std::string& utf8);

}  // namespace cq::triage
