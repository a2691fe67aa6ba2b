// Realistic report bodies for tests. Identities are made up for tests and
// are searched for afterwards to prove they were never stored in plain text.
#pragma once

#include <string>

#include "cq/codec.h"

namespace cq::test {

// A valid real-name report; n varies the reporter, the accused and the text
// so that different n are not duplicates of each other.
inline Doc sample_report(int n, bool anonymous = false) {
  std::string idx = std::to_string(n);
  Doc reporter = anonymous ? Doc{{"anonymous", true}}
                           : Doc{{"anonymous", false},
                                 {"name", "测试举报人" + idx},
                                 {"phone", std::to_string(13900000000LL + n)},
                                 {"address", "南湖县幸福路" + idx + "号"}};
  return Doc{{"channel", n % 2 ? "letter" : "online"},
             {"received_at", "2026-11-16T09:30:00+08:00"},
             {"reporter", reporter},
             {"accused", Doc::array({Doc{{"name", "测试干部" + idx},
                                         {"unit", "南湖县某镇人民政府"},
                                         {"post", "副镇长"},
                                         {"level", "section"},
                                         {"region", "nanhu"}}})},
             {"category", "corruption"},
             {"summary", "反映测试干部" + idx + "收受工程款回扣"},
             {"details", "第" + idx + "号测试材料：2026年3月在镇政府办公室收受某工程老板现金5万元，有转账记录为证。"},
             {"specifics", Doc{{"when", "2026年3月"}, {"where", "镇政府办公室"}, {"amount_yuan", 50000},
                               {"witnesses", Doc::array({"同事甲"})},
                               {"evidence", Doc::array({Doc{{"kind", "bank_record"}, {"description", "转账记录"}}})}}}};
}

}  // namespace cq::test
