// Metadata: what a file says about itself — its title, the agency that published it, the year it
// is about and its date — read from the header and footer fields that page-chrome removal keeps
// (chrome.h), from the title, and from the signature at the end of the text. `add` and `check`
// take a missing --agency or --year from here (extract.h: read_document).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace leitong {

// One "key: value" field found in a header or footer line, as written (UTF-8).
struct MetadataField {
  std::string key;
  std::string value;
};

// What a file says about itself. Every member is empty / 0 when nothing was found.
struct DocumentMetadata {
  std::string title;       // the report's title (名称/标题 field, <meta ArticleTitle>, …)
  std::string title_from;  // where the title came from, e.g. "名称 field", "first line"
  std::string agency;  // a full agency name (重庆市沙坪坝区民政局), never a relative one (区司法局)
  std::string agency_from;            // e.g. "title", "发布机构 field", "signature"
  int year = 0;                       // the year the report is about, read from its title only
  std::string year_from;              // e.g. "title (名称 field)"
  std::string date;                   // a publication or signing date as written (2025-02-12)
  std::vector<MetadataField> fields;  // every header/footer field found, in order
};

// Fills metadata.title/agency/year/date from metadata.fields and from `text` itself (a title on
// its first line, an agency name and date signing it off at the end), keeping values already set.
void complete_metadata(std::u32string_view text, DocumentMetadata& metadata);

// A full agency name: ends like an agency (局, 委员会, 人民政府, 办公室, 镇, …), names a place
// (省, 市, 区, 县, …) or the state (国务院, 国家…), and does not start relatively (区司法局, 本局).
bool looks_like_agency(std::string_view name);

// The year a title is about: its first "2024年" (also full-width or 二〇二四年), 1990–2100;
// 0 if none.
int year_of_title(std::string_view title);

// The agency a title names before "关于" or before its year ("重庆市沙坪坝区民政局关于2024年…的
// 报告" → "重庆市沙坪坝区民政局"); "" when that prefix is not a full agency name.
std::string agency_of_title(std::string_view title);

}  // namespace leitong
