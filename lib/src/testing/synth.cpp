#include <leitong/core/document.h>
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>
#include <leitong/testing/synth.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <optional>
#include <unordered_set>
#include <vector>

#include "detail/synth_sources.h"

namespace leitong {
namespace {

namespace fs = std::filesystem;
using detail::Agency;
using detail::Rng;
using detail::SentenceModel;
using detail::bump;
using detail::make_agency;
using detail::replace_all;
using detail::set_years;
using detail::split_sentences;
using detail::u32;
using detail::with_local_names;

// A span of another written file that a paragraph's text came from.
struct Origin {
  std::string file;
  std::uint32_t start = 0, end = 0;
};
// Copies of copies: a paragraph lifted from a peer that had recycled it from its own previous
// report holds the text of both. The truth names the immediate source and lists the earlier ones
// as equivalent (`also`), nearest first, at most this many.
constexpr std::size_t kMaxOrigins = 8;

struct Para {
  std::u32string clean;              // text before formatting noise (what later copies start from)
  std::uint32_t start = 0, end = 0;  // in the written text
  std::vector<Origin> origins;       // where its text came from, nearest first (empty: fresh)
  std::optional<std::size_t> repeats;  // the earlier paragraph of the same report it repeats
  // Leading characters of `clean` that are a mandated subheading: every agency writes them, so
  // they belong to no plant; start..end covers the text after them.
  std::size_t heading = 0;
};

// A paragraph being composed, with the origins of its text.
struct Draft {
  std::u32string text;
  std::vector<Origin> origins;
  std::size_t heading = 0;  // as Para::heading
};

// The offset in `noisy` (apply_noise of a text) of that text's character `clean_offset`: noise
// replaces characters one for one and may insert a line break.
std::size_t noisy_offset(const std::u32string& noisy, std::size_t clean_offset) {
  std::size_t i = 0;
  for (std::size_t seen = 0; i < noisy.size() && seen < clean_offset; ++i) seen += noisy[i] != U'\n';
  return i;
}

// The origins of a copy of `para` of `file`: that paragraph, then its own origins.
std::vector<Origin> copied_from(const std::string& file, const Para& para) {
  std::vector<Origin> out{{file, para.start, para.end}};
  for (const Origin& o : para.origins)
    if (out.size() < kMaxOrigins) out.push_back(o);
  return out;
}

struct Written {
  std::string file;  // relative to the output folder
  std::string agency;
  std::u32string district;
  int year = 0;
  std::vector<Para> body;
  std::size_t section1 = 0;  // body[0, section1) is section 一
};

struct Plant {
  const char* type;
  std::size_t para;  // index into the new report's body
  std::string source_file;
  std::uint32_t source_start, source_end;
  std::optional<std::size_t> self_source;  // for self: the body paragraph repeated
  bool recycled_repeat = false;  // for self: a repetition recycled with what it repeats
};

struct Noise {
  bool fullwidth_digits = false, ascii_punctuation = false;
  double line_break = 0;
};

std::u32string apply_noise(const std::u32string& s, const Noise& n, Rng& rng) {
  std::u32string out;
  out.reserve(s.size() + 2);
  const std::size_t break_at =
      (s.size() > 40 && rng.chance(n.line_break)) ? 10 + rng.below(s.size() - 20) : 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char32_t c = s[i];
    if (n.fullwidth_digits && c >= U'0' && c <= U'9') c = c - U'0' + U'０';
    if (n.ascii_punctuation) {
      if (c == U'，')
        c = U',';
      else if (c == U'：')
        c = U':';
      else if (c == U'；')
        c = U';';
      else if (c == U'（')
        c = U'(';
      else if (c == U'）')
        c = U')';
    }
    if (i == break_at && i > 0) out.push_back(U'\n');
    out.push_back(c);
  }
  return out;
}

std::string chinese_numeral(std::size_t n) {
  constexpr const char* kDigits[] = {"", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
  if (n < 10) return kDigits[n];
  return std::string(n >= 20 ? kDigits[n / 10] : "") + "十" + kDigits[n % 10];
}

class Synthesizer {
 public:
  Synthesizer(const SynthParams& p, const fs::path& out)
      : p_(p), out_(out), rng_(p.seed), model_(p.corpora) {}

  SynthSummary run(const std::function<void(std::size_t, std::size_t)>& progress) {
    summary_.sentences = model_.sentences();
    std::error_code ec;
    fs::create_directories(out_, ec);
    if (ec) throw_error("{}: cannot create the folder: {}", out_.string(), ec.message());
    manifest_.open(out_ / "manifest.csv", std::ios::binary | std::ios::trunc);
    truth_.open(out_ / "truth.jsonl", std::ios::binary | std::ios::trunc);
    if (!manifest_ || !truth_)
      throw_error("{}: cannot write manifest.csv or truth.jsonl", out_.string());
    manifest_ << "path,agency,year,kind\n";
    make_templates();
    std::vector<std::unique_ptr<Written>> prev(std::size_t(p_.agencies)),
        cur(std::size_t(p_.agencies));
    const std::size_t total = std::size_t(p_.agencies) * std::size_t(p_.years);
    std::size_t done = 0;
    for (int t = 0; t < p_.years; ++t) {
      const int year = p_.first_year + t;
      fs::create_directories(out_ / "reports" / std::to_string(year), ec);
      if (ec) throw_error("{}: cannot create the folder: {}", out_.string(), ec.message());
      for (std::size_t a = 0; a < std::size_t(p_.agencies); ++a) {
        cur[a] = make_report(a, t, year, prev, cur);
        if (progress) progress(++done, total);
      }
      std::swap(prev, cur);
      for (auto& w : cur) w.reset();
    }
    manifest_.flush();
    truth_.flush();
    if (!manifest_ || !truth_) throw_error("{}: write failed", out_.string());
    return summary_;
  }

 private:
  // New sentences of the model; in section 一 under a subheading (each used once per report).
  // Half of the paragraphs name the agency, so that a lifted paragraph carries a name to swap.
  // `sentences` ≥ 2.
  Draft fresh_paragraph(const std::u32string& who, std::span<const std::u32string> names, int year,
                        std::size_t sentences, bool heading) {
    std::u32string s;
    if (heading) {
      if (headings_left_.empty()) {
        for (std::size_t k = 0; k < detail::subheadings().size(); ++k) headings_left_.push_back(k);
        for (std::size_t i = headings_left_.size(); i > 1; --i)
          std::swap(headings_left_[i - 1], headings_left_[rng_.below(i)]);
      }
      s = u32(detail::subheadings()[headings_left_.back()]) + U"。";
      headings_left_.pop_back();
    }
    const std::size_t heading_chars = s.size();
    // The name opens the second sentence, not the paragraph: a subheading followed by a name
    // would be a stock phrase shared across reports.
    const bool named = rng_.chance(0.5);
    for (std::size_t i = 0; i < sentences; ++i) {
      if (i == 1 && named) s += who;
      s += set_years(with_local_names(model_.sentence(rng_), names, p_.local_names, rng_), year);
    }
    return {std::move(s), {}, heading_chars};
  }

  void make_templates() {
    const std::size_t count = p_.template_agencies > 0
                                  ? (std::size_t(p_.agencies) + p_.agencies_per_template - 1) /
                                        std::size_t(std::max(1, p_.agencies_per_template))
                                  : 0;
    if (count) fs::create_directories(out_ / "templates");
    for (std::size_t k = 0; k < count; ++k) {
      auto w = std::make_unique<Written>();
      w->file = fmt::format("templates/fanwen-{:03}.txt", k + 1);
      w->agency = "范文网";
      w->district = U"××区";
      w->year = p_.first_year;
      std::u32string text = u32(fmt::format("范文参考（{}）\n", k + 1));
      for (int i = 0; i < 8; ++i) {
        Para para;
        Draft draft = fresh_paragraph(U"××区", {}, p_.first_year, 3 + rng_.below(3), true);
        para.clean = std::move(draft.text);
        para.heading = draft.heading;
        para.start = std::uint32_t(text.size() + para.heading);
        text += para.clean;
        para.end = std::uint32_t(text.size());
        text += U"\n";
        w->body.push_back(std::move(para));
      }
      w->section1 = w->body.size();
      write_file(*w, text, "范文网", DocumentKind::kTemplate);
      ++summary_.templates;
      templates_.push_back(std::move(w));
    }
  }

  void write_file(const Written& w, const std::u32string& text, const std::string& agency,
                  DocumentKind kind) {
    const std::string bytes = encode_utf8(text);
    const ExtractedText extracted = extract_bytes(bytes, w.file);
    if (extracted.text != text) {
      std::size_t at = 0;
      while (at < text.size() && at < extracted.text.size() && text[at] == extracted.text[at]) ++at;
      const std::size_t from = at > 20 ? at - 20 : 0;
      throw_error("{}: synthesized text does not extract unchanged (internal error): it differs at "
                  "character {}, after \"{}\"{}",
                  w.file, at, encode_utf8(text.substr(from, at - from)),
                  extracted.removed.empty() ? ""
                                            : fmt::format("; page-chrome removal dropped \"{}\"",
                                                          encode_utf8(extracted.removed.front())));
    }
    std::ofstream f(out_ / w.file, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), std::streamsize(bytes.size()));
    if (!f.flush()) throw_error("{}: write failed", (out_ / w.file).string());
    manifest_ << w.file << ',' << agency << ',' << w.year << ',' << kind_name(kind) << '\n';
  }

  std::unique_ptr<Written> make_report(std::size_t a, int t, int year,
                                       const std::vector<std::unique_ptr<Written>>& prev,
                                       const std::vector<std::unique_ptr<Written>>& cur) {
    const Agency agency = make_agency(a);
    const std::vector<std::u32string> names = detail::local_names(a);
    headings_left_.clear();
    auto w = std::make_unique<Written>();
    w->file = fmt::format("reports/{}/a{:05}.txt", year, a + 1);
    w->agency = agency.name;
    w->district = agency.district;
    w->year = year;
    std::vector<Plant> plants;
    std::vector<Draft> body;
    std::size_t section1 = 0;

    const Written* before = prev[a].get();
    if (t > 0 && before && rng_.chance(p_.recycle_share)) {
      // Recycled: the previous report's paragraphs, most kept (edited), some replaced.
      section1 = before->section1;
      bool any = false;
      std::vector<std::optional<std::size_t>> kept_as(before->body.size());
      for (std::size_t i = 0; i < before->body.size(); ++i) {
        const Para& src = before->body[i];
        if (rng_.chance(p_.keep_paragraph) || (!any && i + 1 == before->body.size())) {
          kept_as[i] = body.size();
          auto sents = split_sentences(bump(src.clean, year - before->year, 0.5, rng_));
          if (sents.size() >= 4 && rng_.chance(0.2))
            sents.erase(sents.begin() + std::ptrdiff_t(1 + rng_.below(sents.size() - 1)));
          std::u32string text;
          for (auto& s : sents) text += s;
          plants.push_back(
              {"recycled", body.size(), before->file, src.start, src.end, std::nullopt});
          body.push_back({std::move(text), copied_from(before->file, src), src.heading});
          any = true;
        } else {
          body.push_back(fresh_paragraph(agency.short_name, names, year, 3 + rng_.below(4), i < section1));
        }
      }
      // A repetition recycled together with what it repeats is still a repetition.
      for (std::size_t i = 0; i < before->body.size(); ++i)
        if (const auto k = before->body[i].repeats; k && kept_as[i] && kept_as[*k])
          plants.push_back({"self", *kept_as[i], w->file, 0, 0, *kept_as[*k], true});
    } else {
      section1 = 6 + rng_.below(3);
      const std::size_t total = section1 + 4;
      const std::size_t group =
          templates_.empty() ? 0 : a / std::size_t(std::max(1, p_.agencies_per_template));
      const bool fills = t == 0 && !templates_.empty() && group < templates_.size() &&
                         a % std::size_t(std::max(1, p_.agencies_per_template)) <
                             std::size_t(p_.template_agencies);
      // A filler keeps 4–5 of the 范文's 8 paragraphs, in order.
      std::vector<std::size_t> picked;
      if (fills) {
        for (std::size_t k = 0; k < templates_[group]->body.size(); ++k) picked.push_back(k);
        const std::size_t keep = 4 + rng_.below(2);
        while (picked.size() > keep)
          picked.erase(picked.begin() + std::ptrdiff_t(rng_.below(picked.size())));
      }
      for (std::size_t i = 0; i < total; ++i) {
        if (i < picked.size()) {
          const Written& tpl = *templates_[group];
          const Para& src = tpl.body[picked[i]];
          plants.push_back({"template", body.size(), tpl.file, src.start, src.end, std::nullopt});
          body.push_back({set_years(replace_all(src.clean, tpl.district, agency.district), year),
                          copied_from(tpl.file, src), src.heading});
          continue;
        }
        body.push_back(fresh_paragraph(agency.short_name, names, year, 3 + rng_.below(4), i < section1));
      }
    }

    // Peer lifting: one or two consecutive paragraphs of another agency, district name swapped,
    // inserted into section 一.
    if (rng_.chance(p_.peer_share)) {
      const Written* peer = nullptr;
      if (a > 0)
        peer = cur[rng_.below(a)].get();
      else if (t > 0 && p_.agencies > 1)
        peer = prev[1 + rng_.below(std::size_t(p_.agencies) - 1)].get();
      if (peer && !peer->body.empty()) {
        const std::size_t n = std::min<std::size_t>(1 + rng_.below(2), peer->body.size());
        const std::size_t first = rng_.below(peer->body.size() - n + 1);
        const std::size_t at = rng_.below(section1 + 1);
        for (auto& pl : plants) {
          if (pl.para >= at) pl.para += n;
          if (pl.self_source && *pl.self_source >= at) *pl.self_source += n;
        }
        for (std::size_t k = 0; k < n; ++k) {
          const Para& src = peer->body[first + k];
          std::u32string text = bump(replace_all(src.clean, peer->district, agency.district),
                                     year - peer->year, 0.0, rng_);
          body.insert(body.begin() + std::ptrdiff_t(at + k), Draft{std::move(text), copied_from(peer->file, src), src.heading});
          plants.push_back({"peer", at + k, peer->file, src.start, src.end, std::nullopt});
        }
        section1 += n;
      }
    }

    // Self-repetition: a paragraph of section 一 repeated at the end of section 三.
    if (section1 > 0 && rng_.chance(p_.self_share)) {
      const std::size_t src = rng_.below(section1);
      plants.push_back({"self", body.size(), w->file, 0, 0, src});
      body.push_back(body[src]);  // its origins: completed below, once the source has its offsets
    }

    // Write it: title, opening, sections, signature; formatting noise on every line.
    Noise noise;
    noise.fullwidth_digits = rng_.chance(0.25);
    noise.ascii_punctuation = rng_.chance(0.25);
    noise.line_break = rng_.chance(0.3) ? 0.3 : 0.0;
    std::u32string text;
    auto line = [&](const std::u32string& s) {
      text += apply_noise(s, noise, rng_);
      text += U"\n";
    };
    line(u32(fmt::format("{}{}年法治政府建设年度报告", agency.name, year)));
    line(u32(fmt::format(
        "{}年，{}坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，深入学习贯彻"
        "习近平法治思想，认真落实党中央、国务院关于法治政府建设的决策部署。根据《法治政府建设与责任"
        "落实"
        "督察工作规定》要求，现将{}年度法治政府建设工作情况报告如下：",
        year, agency.name, year)));
    const std::size_t section2 = section1 + std::min<std::size_t>(2, body.size() - section1);
    for (std::size_t i = 0; i < body.size(); ++i) {
      if (i == 0) line(u32(fmt::format("一、{}年度推进法治政府建设的主要举措和成效", year)));
      if (i == section1) line(U"二、存在的问题和不足");
      if (i == section2) line(U"三、下一步工作打算");
      Para para;
      para.clean = body[i].text;
      para.origins = body[i].origins;
      para.heading = body[i].heading;
      const std::u32string prefix = i < section1 ? u32("（" + chinese_numeral(i + 1) + "）") : U"";
      const std::u32string noisy = apply_noise(body[i].text, noise, rng_);
      para.start = std::uint32_t(text.size() + prefix.size() + noisy_offset(noisy, para.heading));
      text += prefix + noisy;
      para.end = std::uint32_t(text.size());
      text += U"\n";
      w->body.push_back(std::move(para));
    }
    if (section1 == body.size()) line(U"二、存在的问题和不足");
    if (section2 == body.size()) line(U"三、下一步工作打算");
    line(
        U"下一步，我们将坚持以习近平法治思想为引领，持续深化法治政府建设，为经济社会高质量发展提供"
        U"坚实法治保障。");
    line(u32(agency.name));
    line(u32(fmt::format("{}年{}月{}日", year + 1, 1 + rng_.below(3), 1 + rng_.below(28))));
    w->section1 = section1;
    for (const Plant& pl : plants) {
      if (!pl.self_source) continue;
      Para& copy = w->body[pl.para];
      copy.repeats = *pl.self_source;
      if (!pl.recycled_repeat) copy.origins = copied_from(w->file, w->body[*pl.self_source]);
    }
    write_file(*w, text, agency.name, DocumentKind::kReport);

    nlohmann::json j;
    j["file"] = w->file;
    j["agency"] = w->agency;
    j["year"] = year;
    j["plants"] = nlohmann::json::array();
    std::sort(plants.begin(), plants.end(),
              [](const Plant& x, const Plant& y) { return x.para < y.para; });
    for (const Plant& pl : plants) {
      const Para& here = w->body[pl.para];
      std::uint32_t ss = pl.source_start, se = pl.source_end;
      if (pl.self_source) ss = w->body[*pl.self_source].start, se = w->body[*pl.self_source].end;
      nlohmann::json plant = {{"type", pl.type},
                              {"start", here.start},
                              {"end", here.end},
                              {"source_file", pl.source_file},
                              {"source_start", ss},
                              {"source_end", se}};
      // A repeated paragraph that was itself copied is two cases: the repetition, and a copy
      // from where the original came from.
      const Plant* copied = nullptr;
      if (pl.self_source && !pl.recycled_repeat)  // a recycled repetition has its own case
        for (const Plant& other : plants)
          if (other.para == *pl.self_source && !other.self_source) copied = &other;
      // here.origins[0] is the immediate source; the rest hold the same text before it.
      auto also_from = [&](std::size_t first) {
        nlohmann::json also = nlohmann::json::array();
        for (std::size_t k = first; k < here.origins.size(); ++k)
          also.push_back({{"source_file", here.origins[k].file},
                          {"source_start", here.origins[k].start},
                          {"source_end", here.origins[k].end}});
        return also;
      };
      if (here.origins.size() > 1 && !copied) plant["also"] = also_from(1);
      j["plants"].push_back(std::move(plant));
      if (copied) {
        nlohmann::json second = {{"type", copied->type},
                                 {"start", here.start},
                                 {"end", here.end},
                                 {"source_file", copied->source_file},
                                 {"source_start", copied->source_start},
                                 {"source_end", copied->source_end}};
        if (here.origins.size() > 2) second["also"] = also_from(2);
        j["plants"].push_back(std::move(second));
      }
    }
    for (const auto& plant : j["plants"]) {
      const std::string& type = plant["type"].get_ref<const std::string&>();
      summary_.recycled += type == "recycled";
      summary_.peer += type == "peer";
      summary_.template_filled += type == "template";
      summary_.self += type == "self";
    }
    truth_ << j.dump() << '\n';
    ++summary_.reports;
    summary_.plants += j["plants"].size();
    summary_.clean_reports += plants.empty();
    return w;
  }

  const SynthParams& p_;
  fs::path out_;
  Rng rng_;
  SentenceModel model_;
  std::vector<std::unique_ptr<Written>> templates_;
  std::vector<std::size_t> headings_left_;
  std::ofstream manifest_, truth_;
  SynthSummary summary_;
};

}  // namespace

SynthSummary synthesize(const SynthParams& params, const fs::path& out,
                        const std::function<void(std::size_t, std::size_t)>& progress) {
  if (params.agencies < 1 || std::size_t(params.agencies) > detail::agency_capacity())
    throw_error("synth: --agencies must be between 1 and {}", detail::agency_capacity());
  if (params.years < 1 || params.years > 50) throw_error("synth: --years must be between 1 and 50");
  if (params.first_year < 1950 || params.first_year + params.years > 2100)
    throw_error("synth: the years must lie between 1950 and 2100");
  if (params.template_agencies < 0 || params.agencies_per_template < 1)
    throw_error("synth: bad template parameters");
  if (!(params.local_names >= 0 && params.local_names <= 1))
    throw_error("synth: --local-names must be between 0 and 1");
  Synthesizer s(params, out);
  return s.run(progress);
}

}  // namespace leitong
