// HTML: charset, gumbo parse, the article body chosen by text density, rendered as lines.
#include <gumbo.h>
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <leitong/extract/chrome.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <unordered_map>
#include <vector>

#include "detail/formats.h"
#include "detail/gumbo_options.h"
#include "detail/u32.h"

namespace leitong::detail {

namespace {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Maps the charset labels found on Chinese portals to the ICU converter that reads them.
std::string icu_charset(std::string label) {
  if (label == "gb2312" || label == "gbk" || label == "x-gbk" || label == "gb_2312-80" ||
      label == "cp936" || label == "ms936" || label == "windows-936" || label == "euc-cn" ||
      label == "csgb2312" || label == "gb18030" || label == "chinese")
    return "gb18030";  // a superset of GB2312 and GBK, as browsers read them
  if (label == "utf8") return "utf-8";
  if (label == "big5-hkscs" || label == "x-x-big5") return "big5";
  if (label == "iso-8859-1" || label == "latin1" || label == "ascii" || label == "us-ascii")
    return "windows-1252";  // as browsers read them
  return label;
}

}  // namespace

void add_field(DocumentMetadata& md, std::string key, std::string value) {
  if (value.empty()) return;
  for (const MetadataField& f : md.fields)
    if (f.key == key && f.value == value) return;
  md.fields.push_back({std::move(key), std::move(value)});
}

std::string declared_charset(std::string_view bytes) {
  const std::string head = lower_ascii(bytes.substr(0, 4096));
  // <?xml version="1.0" encoding="gb2312"?>
  if (head.rfind("<?xml", 0) == 0) {
    const std::size_t end = head.find("?>");
    const std::size_t at = head.find("encoding", 0);
    if (at != std::string::npos && (end == std::string::npos || at < end)) {
      std::size_t i = head.find_first_of("\"'", at);
      if (i != std::string::npos) {
        const std::size_t j = head.find(head[i], i + 1);
        if (j != std::string::npos) return head.substr(i + 1, j - i - 1);
      }
    }
  }
  // The first charset= inside a <meta …> tag.
  for (std::size_t meta = head.find("<meta"); meta != std::string::npos;
       meta = head.find("<meta", meta + 5)) {
    const std::size_t close = head.find('>', meta);
    const std::string_view tag = std::string_view(head).substr(
        meta, close == std::string::npos ? std::string::npos : close - meta);
    const std::size_t at = tag.find("charset");
    if (at == std::string_view::npos) continue;
    std::size_t i = at + 7;
    while (i < tag.size() && (tag[i] == ' ' || tag[i] == '\t' || tag[i] == '\n' || tag[i] == '\r'))
      ++i;
    if (i >= tag.size() || tag[i] != '=') continue;
    ++i;
    while (i < tag.size() && (tag[i] == ' ' || tag[i] == '"' || tag[i] == '\'')) ++i;
    std::size_t j = i;
    while (j < tag.size() && (std::isalnum(static_cast<unsigned char>(tag[j])) || tag[j] == '-' ||
                              tag[j] == '_' || tag[j] == ':' || tag[j] == '.'))
      ++j;
    if (j > i) return std::string(tag.substr(i, j - i));
  }
  return {};
}

namespace {

struct OutputCloser {
  void operator()(GumboOutput* o) const { gumbo_destroy_output(&gumbo_default_options(), o); }
};

// Elements whose content is never article text.
bool is_skipped_tag(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_MAP:
    case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_VIDEO:
      return true;
    default:
      return false;
  }
}

// Page furniture by element: navigation, asides, page headers and footers.
bool is_chrome_tag(GumboTag tag) {
  return tag == GUMBO_TAG_NAV || tag == GUMBO_TAG_ASIDE || tag == GUMBO_TAG_FOOTER ||
         tag == GUMBO_TAG_HEADER;
}

bool is_block_tag(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_FORM:
      return true;
    default:
      return false;
  }
}

const char* attribute(const GumboNode* node, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&node->v.element.attributes, name);
  return a ? a->value : nullptr;
}

// class/id words that name page furniture (split on spaces, '-' and '_', lower case).
bool is_chrome_word(std::string_view w) {
  static constexpr std::string_view kWords[] = {
      "nav",        "navbar",   "menu",      "breadcrumb", "breadcrumbs", "crumb",   "crumbs",
      "position",   "location", "share",     "bdshare",    "jiathis",     "social",  "print",
      "toolbar",    "tools",    "fontsize",  "zihao",      "related",     "relate",  "xgwz",
      "xglj",       "xgxx",     "recommend", "footer",     "foot",        "bottom",  "copyright",
      "header",     "topbar",   "sidebar",   "aside",      "banner",      "advert",  "ads",
      "login",      "search",   "qrcode",    "ewm",        "erweima",     "comment", "comments",
      "pagination", "pager",    "prevnext",  "sxp",        "friendlink",  "yqlj",    "weixin",
      "weibo",      "wza",      "fxd",       "bshare",     "sharebox",    "toolbox", "dayin",
      "guanbi",     "fenxiang", "gotop",     "backtop",    "top",         "head",    "skip"};
  return std::find(std::begin(kWords), std::end(kWords), w) != std::end(kWords);
}

bool has_chrome_name(const GumboNode* node) {
  for (const char* name : {"class", "id"}) {
    const char* value = attribute(node, name);
    if (!value) continue;
    const std::string v = lower_ascii(value);
    std::size_t i = 0;
    while (i < v.size()) {
      while (i < v.size() && !std::isalnum(static_cast<unsigned char>(v[i]))) ++i;
      std::size_t j = i;
      while (j < v.size() && std::isalnum(static_cast<unsigned char>(v[j]))) ++j;
      if (j > i && is_chrome_word(std::string_view(v).substr(i, j - i))) return true;
      i = j;
    }
  }
  return false;
}

bool is_hidden(const GumboNode* node) {
  if (attribute(node, "hidden")) return true;
  const char* style = attribute(node, "style");
  if (!style) return false;
  std::string s;
  for (const char* p = style; *p; ++p)
    if (!std::isspace(static_cast<unsigned char>(*p)))
      s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(*p))));
  return s.find("display:none") != std::string::npos ||
         s.find("visibility:hidden") != std::string::npos;
}

std::size_t meaningful_chars(std::string_view utf8, std::size_t& commas) {
  std::size_t n = 0;
  for (char32_t c : to_u32(utf8)) {
    if (is_cjk(c) || (c < 0x80 && std::isalnum(static_cast<int>(c)))) ++n;
    if (c == U'，' || c == U'。' || c == U'、' || c == U'；') ++commas;
  }
  return n;
}

struct NodeInfo {
  std::size_t chars = 0;       // meaningful characters in the subtree
  std::size_t link_chars = 0;  // of which inside <a>
  double score = 0;            // content score (text density of its paragraphs)
};

class Page {
 public:
  explicit Page(const GumboNode* root) : root_(root) { measure(); }

  const GumboNode* body() const { return body_; }

  // The element holding the article: the best content score, discounted by link density.
  const GumboNode* content_root() const {
    const GumboNode* best = nullptr;
    double best_score = 0;
    for (const GumboNode* node : order_) {
      const auto it = info_.find(node);
      if (it == info_.end() || skipped_.count(node)) continue;
      const NodeInfo& info = it->second;
      if (info.score <= 0) continue;
      const double density = info.chars ? double(info.link_chars) / double(info.chars) : 1.0;
      const double s = info.score * (1.0 - density);
      if (s > best_score) best_score = s, best = node;
    }
    return best ? best : body_;
  }

  bool skipped(const GumboNode* node) const { return skipped_.count(node) != 0; }

  // Renders `node` as lines; with `skip_chrome`, furniture inside it is left out.
  std::u32string render(const GumboNode* node, bool skip_chrome) const {
    std::u32string out, line;
    auto flush = [&] {
      const std::u32string_view t = trim(line);
      if (!t.empty()) {
        out.append(t);
        out.push_back(U'\n');
      }
      line.clear();
    };
    struct Frame {
      const GumboNode* node;
      std::size_t next;
    };
    std::vector<Frame> stack{{node, 0}};
    int pre = 0;
    auto enter = [&](const GumboNode* n) {
      const GumboTag tag = n->v.element.tag;
      if (tag == GUMBO_TAG_BR) {
        flush();
      } else if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) {
        if (!trim(line).empty()) line.push_back(U'\t');
      } else if (is_block_tag(tag)) {
        flush();
      }
      if (tag == GUMBO_TAG_PRE) ++pre;
    };
    auto leave = [&](const GumboNode* n) {
      const GumboTag tag = n->v.element.tag;
      if (is_block_tag(tag)) flush();
      if (tag == GUMBO_TAG_PRE) --pre;
    };
    enter(node);
    while (!stack.empty()) {
      Frame& f = stack.back();
      const GumboVector& children = f.node->v.element.children;
      if (f.next >= children.length) {
        leave(f.node);
        stack.pop_back();
        continue;
      }
      const auto* child = static_cast<const GumboNode*>(children.data[f.next++]);
      if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_CDATA ||
          child->type == GUMBO_NODE_WHITESPACE) {
        append_text(child->v.text.text, line, pre > 0, flush);
      } else if (child->type == GUMBO_NODE_ELEMENT || child->type == GUMBO_NODE_TEMPLATE) {
        if (is_skipped_tag(child->v.element.tag) || is_hidden(child)) continue;
        if (skip_chrome && skipped_.count(child)) continue;
        enter(child);
        stack.push_back({child, 0});
      }
    }
    flush();
    return out;
  }

 private:
  template <typename Flush>
  static void append_text(const char* utf8, std::u32string& line, bool pre, Flush& flush) {
    for (char32_t c : to_u32(utf8)) {
      if (c == U'\n' && pre) {
        flush();
      } else if (c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == U'\f') {
        if (!line.empty() && line.back() != U' ') line.push_back(U' ');
      } else {
        line.push_back(c);
      }
    }
  }

  // One post-order pass: characters per subtree, paragraph scores added to their ancestors, and
  // the furniture elements (by tag or class/id) that hold less than half of the page's text.
  void measure() {
    struct Frame {
      const GumboNode* node;
      std::size_t next;
      bool in_link;
    };
    std::vector<Frame> stack{{root_, 0, false}};
    std::vector<const GumboNode*>& order = order_;  // post-order
    while (!stack.empty()) {
      Frame& f = stack.back();
      const GumboVector& children = f.node->v.element.children;
      if (f.next >= children.length) {
        order.push_back(f.node);
        stack.pop_back();
        continue;
      }
      const auto* child = static_cast<const GumboNode*>(children.data[f.next++]);
      const bool in_link = f.in_link;
      NodeInfo& parent = info_[f.node];
      if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_CDATA) {
        std::size_t commas = 0;
        const std::size_t n = meaningful_chars(child->v.text.text, commas);
        parent.chars += n;
        if (in_link) parent.link_chars += n;
        commas_[f.node] += commas;
      } else if (child->type == GUMBO_NODE_ELEMENT || child->type == GUMBO_NODE_TEMPLATE) {
        const GumboTag tag = child->v.element.tag;
        if (tag == GUMBO_TAG_BODY) body_ = child;
        if (is_skipped_tag(tag) || is_hidden(child)) continue;
        stack.push_back({child, 0, in_link || tag == GUMBO_TAG_A});
      }
    }
    if (!body_) body_ = root_;
    // Subtree sums (children come before their parent in post-order).
    for (const GumboNode* n : order) {
      const NodeInfo& self = info_[n];
      if (n->parent && n != root_) {
        NodeInfo& p = info_[n->parent];
        p.chars += self.chars;
        p.link_chars += self.link_chars;
      }
    }
    const std::size_t page_chars = info_[body_].chars;
    for (const GumboNode* n : order) {
      if (n == root_ || n == body_) continue;
      const GumboTag tag = n->v.element.tag;
      if ((is_chrome_tag(tag) || has_chrome_name(n)) && info_[n].chars * 2 < page_chars)
        skipped_[n] = true;
    }
    // Everything inside furniture is furniture (pre-order: parents before children).
    for (auto it = order.rbegin(); it != order.rend(); ++it)
      if ((*it)->parent && skipped_.count((*it)->parent)) skipped_[*it] = true;
    // Paragraph scores: a block with its own text of at least 20 characters scores 1 + commas +
    // one per 100 characters (at most 3), all of it to its parent and half to its grandparent.
    for (const GumboNode* n : order) {
      if (n == root_ || !n->parent) continue;
      const GumboTag tag = n->v.element.tag;
      if (!(tag == GUMBO_TAG_P || tag == GUMBO_TAG_TD || tag == GUMBO_TAG_PRE ||
            tag == GUMBO_TAG_DIV || tag == GUMBO_TAG_LI || tag == GUMBO_TAG_SECTION ||
            tag == GUMBO_TAG_BLOCKQUOTE || (tag >= GUMBO_TAG_H1 && tag <= GUMBO_TAG_H6)))
        continue;
      if (skipped_.count(n)) continue;
      // Own text: text of inline descendants only (blocks are scored by themselves).
      const std::size_t own = own_text_chars(n);
      if (own < 20) continue;
      const double score = 1.0 + double(commas_of(n)) + std::min(double(own) / 100.0, 3.0);
      info_[n->parent].score += score;
      if (n->parent->parent && n->parent != body_) info_[n->parent->parent].score += score / 2;
    }
  }

  // Meaningful characters of `n` outside nested block elements.
  std::size_t own_text_chars(const GumboNode* n) const {
    std::size_t total = 0;
    std::vector<const GumboNode*> stack{n};
    while (!stack.empty()) {
      const GumboNode* x = stack.back();
      stack.pop_back();
      const auto it = info_.find(x);
      if (it == info_.end()) continue;
      std::size_t children_chars = 0;
      const GumboVector& children = x->v.element.children;
      for (unsigned i = 0; i < children.length; ++i) {
        const auto* c = static_cast<const GumboNode*>(children.data[i]);
        if (c->type != GUMBO_NODE_ELEMENT) continue;
        const auto ci = info_.find(c);
        if (ci == info_.end()) continue;
        children_chars += ci->second.chars;
        if (!is_block_tag(c->v.element.tag)) stack.push_back(c);
      }
      total += it->second.chars - children_chars;  // its direct text
    }
    return total;
  }

  std::size_t commas_of(const GumboNode* n) const {
    std::size_t total = 0;
    std::vector<const GumboNode*> stack{n};
    while (!stack.empty()) {
      const GumboNode* x = stack.back();
      stack.pop_back();
      if (const auto it = commas_.find(x); it != commas_.end()) total += it->second;
      const GumboVector& children = x->v.element.children;
      for (unsigned i = 0; i < children.length; ++i) {
        const auto* c = static_cast<const GumboNode*>(children.data[i]);
        if (c->type == GUMBO_NODE_ELEMENT && !is_block_tag(c->v.element.tag)) stack.push_back(c);
      }
    }
    return total;
  }

  const GumboNode* root_;
  const GumboNode* body_ = nullptr;
  std::vector<const GumboNode*> order_;  // elements in post-order
  std::unordered_map<const GumboNode*, NodeInfo> info_;
  std::unordered_map<const GumboNode*, std::size_t> commas_;
  std::unordered_map<const GumboNode*, bool> skipped_;
};

std::string text_of(const GumboNode* node) {
  std::string out;
  std::vector<const GumboNode*> stack{node};
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA ||
        n->type == GUMBO_NODE_WHITESPACE) {
      out += n->v.text.text;
    } else if (n->type == GUMBO_NODE_ELEMENT) {
      const GumboVector& children = n->v.element.children;
      for (unsigned i = children.length; i-- > 0;)
        stack.push_back(static_cast<const GumboNode*>(children.data[i]));
    }
  }
  return encode_utf8(trim(to_u32(out)));
}

// <title>, <meta name=…> of the government-site standard (ArticleTitle, PubDate, ContentSource)
// and the first <h1>.
void read_head(const GumboNode* root, DocumentMetadata& md) {
  std::vector<const GumboNode*> stack{root};
  std::string h1;
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type != GUMBO_NODE_ELEMENT) continue;
    const GumboTag tag = n->v.element.tag;
    if (tag == GUMBO_TAG_TITLE) {
      add_field(md, "<title>", text_of(n));
    } else if (tag == GUMBO_TAG_H1 && h1.empty()) {
      h1 = text_of(n);
    } else if (tag == GUMBO_TAG_META) {
      const char* name = attribute(n, "name");
      const char* content = attribute(n, "content");
      if (name && content) {
        const std::string lname = lower_ascii(name);
        static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
            {"articletitle", "meta ArticleTitle"},
            {"pubdate", "meta PubDate"},
            {"contentsource", "meta ContentSource"},
            {"author", "meta Author"},
            {"sitename", "meta SiteName"}};
        for (const auto& [key, field] : kNames)
          if (lname == key) add_field(md, std::string(field), encode_utf8(trim(to_u32(content))));
      }
    }
    const GumboVector& children = n->v.element.children;
    for (unsigned i = children.length; i-- > 0;)
      stack.push_back(static_cast<const GumboNode*>(children.data[i]));
  }
  if (!h1.empty()) add_field(md, "<h1>", h1);
}

}  // namespace

// What parsing `html` costs the HTML5 parser, which walks its stack of open elements at every tag:
// the stack is followed on a light scan of the markup (comments, doctypes and the raw text of
// script, style and textarea skipped) with the closings a parser makes by itself — an end tag
// closes everything opened inside its element, a new cell or row closes the previous one of its
// table, a new list item the previous one of its list; void and paragraph-like elements do not
// nest. An estimate within a small factor for real pages (sloppy tables of unclosed <font> cost
// what they cost), exact in growth for deep ones. Linear in the markup.
struct NestingWork {
  std::size_t work = 0;  // the sum over tags of the depth each opens or closes at
  std::size_t max_depth = 0;
};
NestingWork html_nesting_work(std::string_view html) {
  static constexpr std::string_view kNotNesting[] = {
      "area", "base", "br",     "col",      "embed", "hr", "img", "input", "link", "meta", "param",
      "source", "track", "wbr", "p",      "dt",    "dd", "option", "optgroup", "rp", "rt",
      "thead",  "tbody", "tfoot", "colgroup", "caption", "html", "head", "body"};
  // The open elements, as ids of their names, each with the index of the innermost open cell, row
  // and list item of its table or list (-1: none), so that the implied closings are O(1).
  struct Open {
    int name;
    std::ptrdiff_t cell, row, item;
  };
  std::vector<Open> stack;
  std::unordered_map<std::string, int> ids;
  std::vector<std::size_t> open_count;  // by id: how many are on the stack
  auto id_of = [&](const std::string& name) {
    const auto [it, added] = ids.emplace(name, static_cast<int>(ids.size()));
    if (added) open_count.push_back(0);
    return it->second;
  };
  const int td = id_of("td"), th = id_of("th"), tr = id_of("tr"), li = id_of("li"), table = id_of("table"),
            ul = id_of("ul"), ol = id_of("ol");
  auto pop_to = [&](std::size_t size) {
    while (stack.size() > size) {
      --open_count[static_cast<std::size_t>(stack.back().name)];
      stack.pop_back();
    }
  };
  NestingWork out;
  std::string name;
  for (std::size_t i = html.find('<'); i != std::string_view::npos; i = html.find('<', i + 1)) {
    if (html.substr(i, 4) == "<!--") {
      const std::size_t end = html.find("-->", i + 4);
      if (end == std::string_view::npos) break;
      i = end + 2;
      continue;
    }
    std::size_t at = i + 1;
    const bool closing = at < html.size() && html[at] == '/';
    if (closing) ++at;
    name.clear();
    while (at < html.size() && std::isalnum(static_cast<unsigned char>(html[at])))
      name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(html[at++]))));
    if (name.empty()) continue;  // "<" in text, "<!doctype", "<?xml"
    const std::size_t close = html.find('>', at);
    if (close == std::string_view::npos) break;
    const bool self_closing = html[close - 1] == '/';
    if (!closing && (name == "script" || name == "style" || name == "textarea")) {
      const std::size_t end = html.find("</", close);  // raw text up to its end tag
      i = end == std::string_view::npos ? html.size() - 1 : end - 1;
      continue;
    }
    i = close;
    if (self_closing || std::find(std::begin(kNotNesting), std::end(kNotNesting), name) != std::end(kNotNesting))
      continue;
    const int id = id_of(name);
    out.work += stack.size();
    if (closing) {
      if (open_count[static_cast<std::size_t>(id)] == 0) continue;  // a stray end tag is ignored
      std::size_t k = stack.size();
      while (stack[k - 1].name != id) --k;  // amortized: each element is popped once
      pop_to(k - 1);
      continue;
    }
    const Open* top = stack.empty() ? nullptr : &stack.back();
    if ((id == td || id == th) && top && top->cell >= 0) pop_to(static_cast<std::size_t>(top->cell));
    else if (id == tr && top && top->row >= 0) pop_to(static_cast<std::size_t>(top->row));
    else if (id == li && top && top->item >= 0) pop_to(static_cast<std::size_t>(top->item));
    top = stack.empty() ? nullptr : &stack.back();
    const auto index = static_cast<std::ptrdiff_t>(stack.size());
    Open open{id, top ? top->cell : -1, top ? top->row : -1, top ? top->item : -1};
    if (id == table) open.cell = open.row = -1;
    if (id == ul || id == ol) open.item = -1;
    if (id == td || id == th) open.cell = index;
    if (id == tr) open.row = index, open.cell = -1;
    if (id == li) open.item = index;
    stack.push_back(open);
    ++open_count[static_cast<std::size_t>(id)];
    out.max_depth = std::max(out.max_depth, stack.size());
  }
  return out;
}

RawText extract_html(std::string_view bytes, const std::string& file, const ExtractParams& params,
                     const Deadline& deadline) {
  RawText out;
  // Charset: a byte-order mark, else the declared charset when the bytes are valid in it (a page
  // declaring gb2312 that is valid UTF-8 with Chinese text is UTF-8), else UTF-8 or GB18030 by
  // content as for plain text.
  std::u32string decoded;
  std::string charset;
  const bool bom = bytes.substr(0, 3) == "\xEF\xBB\xBF" || bytes.substr(0, 2) == "\xFF\xFE" ||
                   bytes.substr(0, 2) == "\xFE\xFF";
  const std::string declared = bom ? std::string() : declared_charset(bytes);
  const bool utf8_valid = find_invalid_utf8(bytes) == std::string_view::npos;
  if (!declared.empty() && icu_charset(declared) != "utf-8" &&
      !(utf8_valid && bytes.size() > 0 &&
        std::any_of(bytes.begin(), bytes.end(),
                    [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) &&
      decode_charset(bytes, icu_charset(declared), decoded)) {
    charset = icu_charset(declared);
  } else {
    DecodedText d = decode_text(bytes, file);
    decoded = std::move(d.text);
    charset = std::string(encoding_name(d.encoding));
  }
  if (decoded.find(U'\0') != std::u32string::npos)
    throw_error("{}: binary data (NUL character), not a web page", file);
  out.format = "html/" + charset;
  deadline.check("decoding the page");

  const std::string utf8 = encode_utf8(decoded);
  if (const NestingWork nesting = html_nesting_work(utf8); nesting.work > params.max_html_nesting_work)
    throw_error("{}: web page nested too deeply to read in bounded time (elements open {} levels deep; "
                "report pages nest a few dozen)",
                file, nesting.max_depth);
  deadline.check("the page's nesting");
  GumboOptions options = gumbo_default_options();
  options.max_errors = 0;
  std::unique_ptr<GumboOutput, OutputCloser> parsed(
      gumbo_parse_with_options(&options, utf8.data(), utf8.size()));
  if (!parsed || !parsed->root) throw_error("{}: the web page could not be parsed", file);

  deadline.check("parsing the page");
  read_head(parsed->root, out.metadata);
  const Page page(parsed->root);
  deadline.check("measuring the page");
  // Header fields of the whole page (an index table outside the article, say).
  const std::u32string whole = page.render(page.body(), false);
  for (std::size_t pos = 0; pos < whole.size();) {
    std::size_t nl = whole.find(U'\n', pos);
    if (nl == std::u32string::npos) nl = whole.size();
    const std::u32string_view line = std::u32string_view(whole).substr(pos, nl - pos);
    if (is_chrome_line(line))
      for (MetadataField& f : header_fields(line))
        add_field(out.metadata, std::move(f.key), std::move(f.value));
    pos = nl + 1;
  }
  deadline.check("the page's header fields");
  out.text = page.render(page.content_root(), true);
  deadline.check("the article");
  return out;
}

}  // namespace leitong::detail
