// leitong._leitong: the library for Python (docs/python.md). One binding file, thin like the CLI:
// every result that the CLI writes as JSON is rendered here by the same render-layer writers and
// handed to Python as JSON text, which leitong/__init__.py parses, so the module and
// `leitong ... --format json` cannot drift apart. Heavy calls run with the GIL released; Python
// objects are converted before and after, with the GIL held. Library errors (leitong::Error) are
// raised as leitong.Error, bad arguments as leitong.UsageError (also a ValueError).
#include <leitong/analysis/agencies.h>
#include <leitong/analysis/boilerplate.h>
#include <leitong/analysis/check.h>
#include <leitong/analysis/clusters.h>
#include <leitong/analysis/yoy.h>
#include <leitong/archive/archive.h>
#include <leitong/core/align.h>
#include <leitong/core/document.h>
#include <leitong/core/error.h>
#include <leitong/core/lsh.h>
#include <leitong/core/minhash.h>
#include <leitong/core/normalize.h>
#include <leitong/core/shingle.h>
#include <leitong/core/simhash.h>
#include <leitong/core/sketch.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>
#include <leitong/extract/manifest.h>
#include <leitong/render/report.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace py = pybind11;
using namespace pybind11::literals;

namespace {

using leitong::Error;

// A call made wrongly (a year out of range, an unknown kind): leitong.UsageError in Python.
class UsageError : public Error {
 public:
  using Error::Error;
};

template <typename... Args>
[[noreturn]] void throw_usage(fmt::format_string<Args...> format, Args&&... args) {
  throw UsageError(fmt::format(format, std::forward<Args>(args)...));
}

// The CLI's bounds for --year (CLI::Range(1900, 2200)); 0 means "not given".
void require_year(int year) {
  if (year != 0 && (year < 1900 || year > 2200)) throw_usage("year must be in [1900, 2200], not {}", year);
}

leitong::DocumentKind require_kind(const std::string& kind) {
  const std::optional<leitong::DocumentKind> parsed = leitong::parse_kind(kind);
  if (!parsed) throw_usage("kind must be report or template, not '{}'", kind);
  return *parsed;
}

leitong::ExtractParams extract_params(bool keep_chrome, std::size_t max_file_mb) {
  leitong::ExtractParams params;
  params.remove_chrome = !keep_chrome;
  if (max_file_mb < 1 || max_file_mb > 256) throw_usage("max_file_mb must be in [1, 256], not {}", max_file_mb);
  params.max_file_bytes = max_file_mb << 20;
  return params;
}

leitong::SketchParams sketch_params(int shingle, int k, std::uint64_t seed) {
  leitong::SketchParams params;
  params.shingle.n = shingle;
  params.minhash.k = k;
  params.minhash.seed = seed;
  try {
    leitong::validate(params);
    // The signature's own rules (k a power of two for one-permutation MinHash) are checked where
    // a signature is made: made here once for nothing, so that they refuse the call up front.
    leitong::minhash({}, params.minhash);
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
  return params;
}

// The alignment and boilerplate settings the CLI's check, compare and yoy take (add_check_options).
leitong::CheckParams check_params(leitong::CheckParams params, std::optional<int> min_passage,
                                  std::optional<int> max_gap, std::optional<int> boilerplate_agencies,
                                  std::optional<int> max_candidates) {
  auto in_range = [](const char* name, std::optional<int> value, int low, int high, int& into) {
    if (!value) return;
    if (*value < low || *value > high) throw_usage("{} must be in [{}, {}], not {}", name, low, high, *value);
    into = *value;
  };
  in_range("min_passage", min_passage, 5, 100000, params.align.min_passage);
  in_range("max_gap", max_gap, 0, 100000, params.align.max_gap);
  in_range("boilerplate_agencies", boilerplate_agencies, 1, 1000000, params.boilerplate_agencies);
  in_range("max_candidates", max_candidates, 1, 100000, params.max_candidates);
  return params;
}

// A read-only NumPy view of `values`, kept alive by `owner`.
template <typename T>
py::array_t<T> readonly_view(const std::vector<T>& values, py::handle owner) {
  py::array_t<T> view({py::ssize_t(values.size())}, {py::ssize_t(sizeof(T))}, values.data(), owner);
  view.attr("setflags")("write"_a = false);
  return view;
}

// One side of compare or a check: a file (extracted as the CLI does) or a text given as it is.
struct Input {
  std::optional<std::string> path;
  std::u32string text;
  std::string name;  // `file` in the JSON
};

leitong::Document read_input(const Input& input, const leitong::ExtractParams& params) {
  leitong::Document document;
  document.info.file = input.path ? *input.path : input.name;
  document.text = input.path ? leitong::extract_file(*input.path, params).text : input.text;
  return document;
}

// extract --format json's metadata object (tools/leitong/cmd_extract.cpp).
nlohmann::json metadata_json(const leitong::DocumentMetadata& md) {
  nlohmann::json j = {{"title", md.title},   {"title_from", md.title_from},
                      {"agency", md.agency}, {"agency_from", md.agency_from},
                      {"year", md.year},     {"year_from", md.year_from},
                      {"date", md.date}};
  j["fields"] = nlohmann::json::array();
  for (const leitong::MetadataField& f : md.fields) j["fields"].push_back({{"key", f.key}, {"value", f.value}});
  return j;
}

// `leitong extract --format json FILE`: schema leitong.extract/1.
std::string extract_json(const std::string& path, bool keep_chrome, std::size_t max_file_mb) {
  const leitong::ExtractParams params = extract_params(keep_chrome, max_file_mb);
  py::gil_scoped_release release;
  const leitong::ExtractedText extracted = leitong::extract_file(path, params);
  nlohmann::json j = {{"schema", "leitong.extract/1"},
                      {"file", path},
                      {"format", extracted.format},
                      {"pages", extracted.pages},
                      {"code_points", extracted.text.size()},
                      {"chars", leitong::count_non_whitespace(extracted.text)},
                      {"metadata", metadata_json(extracted.metadata)}};
  j["removed"] = nlohmann::json::array();
  for (const std::u32string& line : extracted.removed) j["removed"].push_back(leitong::encode_utf8(line));
  j["text"] = leitong::encode_utf8(extracted.text);
  return leitong::json_text(j);
}

// `leitong compare --format json A B`: schema leitong.check/1, B the only source.
std::string compare_json(const Input& a, const Input& b, int shingle, const leitong::CheckParams& params) {
  const leitong::SketchParams sp = sketch_params(shingle, leitong::MinHashParams{}.k, leitong::MinHashParams{}.seed);
  py::gil_scoped_release release;
  const leitong::Document doc_a = read_input(a, {});
  const leitong::Document doc_b = read_input(b, {});
  const leitong::Sketch sketch_a = leitong::make_sketch(doc_a.text, sp);
  const leitong::Sketch sketch_b = leitong::make_sketch(doc_b.text, sp);
  const leitong::ReferenceDocument reference{doc_b.info, &doc_b.text, &sketch_b};
  return leitong::render_json(leitong::analyze(doc_a, sketch_a, {&reference, 1}, params));
}

// The code points of a Python str, read from its own storage (PEP 393: one, two or four bytes a
// character) in one pass. pybind11's std::u32string conversion encodes to a UTF-32 bytes object
// first and copies that: two passes and an allocation more, which showed in sketching's rate on
// report-sized texts. A lone surrogate is refused, as that encoding refuses it.
std::u32string utf32_of(const py::str& text) {
  PyObject* object = text.ptr();
#if PY_VERSION_HEX < 0x030C0000
  // Before 3.12 a str made through the legacy API may not be in its compact form yet.
  if (PyUnicode_READY(object) == -1) throw py::error_already_set();
#endif
  const Py_ssize_t length = PyUnicode_GET_LENGTH(object);
  const int kind = PyUnicode_KIND(object);
  const void* data = PyUnicode_DATA(object);
  std::u32string out(static_cast<std::size_t>(length), U'\0');
  for (Py_ssize_t i = 0; i < length; ++i) {
    const Py_UCS4 c = PyUnicode_READ(kind, data, i);
    if (c >= 0xD800 && c <= 0xDFFF) throw_usage("the text holds a surrogate code point (U+{:04X}) at index {}", c, i);
    out[static_cast<std::size_t>(i)] = static_cast<char32_t>(c);
  }
  return out;
}

// leitong::Sketch of one text, with NumPy views of its arrays (the fingerprints' two arrays are
// split out of leitong::Fingerprint when first asked for, not for every sketch).
class PySketch {
 public:
  PySketch(const std::u32string& text, const leitong::SketchParams& params) {
    py::gil_scoped_release release;
    sketch_ = leitong::make_sketch(text, params);
  }
  const leitong::Sketch& sketch() const { return sketch_; }
  const std::vector<std::uint64_t>& fingerprint_hashes() const {
    split_fingerprints();
    return fingerprint_hashes_;
  }
  const std::vector<std::uint32_t>& fingerprint_positions() const {
    split_fingerprints();
    return fingerprint_positions_;
  }

 private:
  // Called with the GIL held, so two threads never fill the arrays at once.
  void split_fingerprints() const {
    if (fingerprints_split_) return;
    fingerprint_hashes_.reserve(sketch_.fingerprints.size());
    fingerprint_positions_.reserve(sketch_.fingerprints.size());
    for (const leitong::Fingerprint& f : sketch_.fingerprints) {
      fingerprint_hashes_.push_back(f.hash);
      fingerprint_positions_.push_back(f.position);
    }
    fingerprints_split_ = true;
  }

  leitong::Sketch sketch_;
  mutable bool fingerprints_split_ = false;
  mutable std::vector<std::uint64_t> fingerprint_hashes_;
  mutable std::vector<std::uint32_t> fingerprint_positions_;
};

// A MinHash signature from a Sketch or anything NumPy reads as uint32 values.
std::vector<std::uint32_t> signature_of(py::handle value) {
  if (py::isinstance<PySketch>(value)) return value.cast<const PySketch&>().sketch().minhash;
  const auto array = py::array_t<std::uint32_t, py::array::c_style | py::array::forcecast>::ensure(value);
  if (!array || array.ndim() != 1) throw_usage("a signature is a Sketch or a one-dimensional array of uint32");
  return {array.data(), array.data() + array.size()};
}

std::uint64_t simhash_of(py::handle value) {
  if (py::isinstance<PySketch>(value)) return value.cast<const PySketch&>().sketch().simhash;
  return value.cast<std::uint64_t>();
}

// MinHash and SimHash of many texts at once: what make_sketch computes for them, without the
// fingerprints and with one thread per `threads` (0: one per core) on the texts.
py::tuple signatures(const std::vector<std::u32string>& texts, const leitong::SketchParams& params, int threads) {
  const std::size_t k = static_cast<std::size_t>(params.minhash.k);
  py::array_t<std::uint32_t> minhashes({py::ssize_t(texts.size()), py::ssize_t(k)});
  py::array_t<std::uint64_t> simhashes(py::ssize_t(texts.size()));
  std::uint32_t* minhash_out = minhashes.mutable_data();
  std::uint64_t* simhash_out = simhashes.mutable_data();
  if (threads < 0) throw_usage("threads must be at least 0, not {}", threads);
  {
    py::gil_scoped_release release;
    std::size_t workers = threads > 0 ? std::size_t(threads) : std::max(1u, std::thread::hardware_concurrency());
    workers = std::max<std::size_t>(1, std::min(workers, texts.size()));
    auto run = [&](std::size_t first) {
      leitong::Sketch sketch;
      sketch.params = params;
      for (std::size_t i = first; i < texts.size(); i += workers) {
        const leitong::NormalizedText normalized = leitong::normalize(texts[i], params.normalize);
        leitong::hash_normalized(normalized.chars, params, sketch);
        std::copy(sketch.minhash.begin(), sketch.minhash.end(), minhash_out + i * k);
        simhash_out[i] = sketch.simhash;
      }
    };
    std::vector<std::thread> pool;
    for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(run, w);
    run(0);
    for (std::thread& t : pool) t.join();
  }
  return py::make_tuple(minhashes, simhashes);
}

// What one file of an add came to (the CLI's "added", "unchanged" and refusal lines).
struct AddRecord {
  std::string file;
  std::string status;  // "added", "unchanged" or "refused"
  std::int64_t id = 0;
  std::string agency;
  int year = 0;
  std::string kind;
  std::string reason;  // refused: the library's message
  std::string note;    // where a missing agency or year came from
};

py::dict to_dict(const AddRecord& r) {
  py::dict d("file"_a = r.file, "status"_a = r.status);
  if (r.status == "refused") {
    d["reason"] = r.reason;
  } else {
    d["id"] = r.id;
    d["agency"] = r.agency;
    d["year"] = r.year;
    d["kind"] = r.kind;
  }
  if (!r.note.empty()) d["note"] = r.note;
  return d;
}

// One job of an add: a file with the agency, year and kind to file it under (0 / "": from the file).
struct AddJob {
  std::string path;
  std::string agency;
  int year = 0;
  leitong::DocumentKind kind = leitong::DocumentKind::kReport;
  std::string refusal;  // a manifest row already refused
};

// An archive open for Python: one connection, used by one call at a time (calls release the GIL,
// so two Python threads could otherwise reach it together).
class PyArchive {
 public:
  PyArchive(const std::string& path, const std::string& mode) : path_(path) {
    if (mode != "r" && mode != "a") throw_usage("mode must be 'r' (read) or 'a' (add; created if missing), not '{}'", mode);
    writable_ = mode == "a";
    py::gil_scoped_release release;
    archive_.emplace(leitong::Archive::open(
        path, writable_ ? leitong::Archive::Mode::kReadWrite : leitong::Archive::Mode::kReadOnly));
  }

  const std::string& path() const { return path_; }
  bool writable() const { return writable_; }
  bool closed() const { return !archive_.has_value(); }

  void close() {
    py::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    if (archive_) archive_->flush();
    archive_.reset();
  }

  // The runs a large batch leaves (format 4) merged, so that look-ups read one blob per bucket.
  // Called once every record is committed: a merge that fails costs only speed, and the next add
  // tries again. Its failure, if any, for a warning once the GIL is held again.
  static std::optional<std::string> merge_runs(leitong::Archive& archive) {
    try {
      archive.merge_index_runs();
    } catch (const leitong::Error& e) {
      return fmt::format(
          "every file added is committed; {}. Look-ups read the runs as they are (more slowly) and the "
          "next add merges them",
          e.what());
    }
    return std::nullopt;
  }

  static void warn_of(const std::optional<std::string>& warning) {
    if (warning && PyErr_WarnEx(PyExc_RuntimeWarning, warning->c_str(), 2) < 0) throw py::error_already_set();
  }

  // Adds the jobs in order, each in its own transaction (or `batch` to one). With `stop_at_refusal`
  // it stops at the first refused file, after committing what came before it.
  py::list add(std::vector<AddJob> jobs, const leitong::ExtractParams& params, int batch, bool stop_at_refusal) {
    if (batch < 1 || batch > 100000) throw_usage("batch must be in [1, 100000], not {}", batch);
    std::vector<AddRecord> records;
    std::optional<std::string> merge_failed;
    std::exception_ptr refusal;  // with stop_at_refusal: raised once the warning, if any, is given
    {
      py::gil_scoped_release release;
      std::lock_guard lock(mutex_);
      leitong::Archive& archive = open_archive();
      if (!writable_) throw Error(fmt::format("{}: opened for reading (mode='r'); open it with mode='a' to add", path_));
      archive.set_batch_size(batch);
      for (const AddJob& job : jobs) {
        AddRecord record{job.path, "refused"};
        try {
          if (!job.refusal.empty()) throw Error(job.refusal);
          const leitong::ReadDocument read = leitong::read_document(job.path, job.agency, job.year, job.kind, params);
          if (read.agency_missing) throw Error(fmt::format("{}: give agency= (the file names none)", job.path));
          if (read.year_missing) throw Error(fmt::format("{}: give year= (the file names none)", job.path));
          const leitong::AddOutcome outcome = archive.add(read.document);
          record = AddRecord{job.path,
                             outcome.added ? "added" : "unchanged",
                             outcome.id,
                             leitong::canonical_agency(read.document.info.agency),
                             read.document.info.year,
                             std::string(leitong::kind_name(job.kind)),
                             "",
                             ""};
          if (!read.agency_from.empty()) record.note = fmt::format("agency from its {}", read.agency_from);
          if (!read.year_from.empty())
            record.note += fmt::format("{}year from its {}", record.note.empty() ? "" : ", ", read.year_from);
        } catch (const leitong::ArchiveWriteError&) {
          // The archive cannot be written: later files would fail the same way.
          archive.set_batch_size(1);
          throw;
        } catch (const Error& e) {
          record.reason = e.what();
          if (stop_at_refusal) {
            refusal = std::current_exception();
            break;
          }
        }
        records.push_back(std::move(record));
      }
      archive.flush();
      archive.set_batch_size(1);
      merge_failed = merge_runs(archive);
    }
    if (refusal) {
      // The refusal is what the caller asked to be raised; a warning turned into an error gives way.
      try {
        warn_of(merge_failed);
      } catch (const py::error_already_set&) {
      }
      std::rethrow_exception(refusal);
    }
    warn_of(merge_failed);
    py::list out;
    for (const AddRecord& r : records) out.append(to_dict(r));
    return out;
  }

  // `leitong add` of a text already in memory (what a file would have extracted to).
  py::dict add_text(const std::u32string& text, const std::string& file, const std::string& agency, int year,
                    leitong::DocumentKind kind) {
    AddRecord record{file, "added"};
    {
      py::gil_scoped_release release;
      std::lock_guard lock(mutex_);
      leitong::Archive& archive = open_archive();
      if (!writable_) throw Error(fmt::format("{}: opened for reading (mode='r'); open it with mode='a' to add", path_));
      leitong::Document document;
      document.info = {0, file, agency, year, kind};
      document.text = text;
      const leitong::AddOutcome outcome = archive.add(document);
      record.status = outcome.added ? "added" : "unchanged";
      record.id = outcome.id;
      record.agency = leitong::canonical_agency(agency);
      record.year = year;
      record.kind = std::string(leitong::kind_name(kind));
    }
    return to_dict(record);
  }

  // `leitong check --format json`: the report's agency and year as given, or what the file names,
  // and the agency then taken as the archive names it (resolve_agency), as the CLI does.
  std::string check(const Input& input, const std::string& agency, int year, const leitong::ExtractParams& extract,
                    const leitong::CheckParams& params) {
    py::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    const leitong::Archive& archive = open_archive();
    leitong::Document report;
    if (input.path) {
      leitong::ReadDocument read =
          leitong::read_document(*input.path, agency, year, leitong::DocumentKind::kReport, extract);
      if (read.agency_missing) throw_usage("give agency= ({} names no agency)", *input.path);
      if (read.year_missing) throw_usage("give year= ({} names no year in its title)", *input.path);
      report = std::move(read.document);
    } else {
      if (agency.find_first_not_of(" \t") == std::string::npos) throw_usage("give agency= for a text");
      if (year == 0) throw_usage("give year= for a text");
      report = read_input(input, extract);
      report.info.agency = agency;
      report.info.year = year;
    }
    const leitong::AgencyResolution resolved = agencies_.resolve(report.info.agency, archive);
    if (resolved.how == leitong::AgencyResolution::How::kAmbiguous) {
      std::string names;
      for (const std::string& n : resolved.candidates) names += (names.empty() ? "" : ", ") + n;
      throw_usage("agency {} could be any of {}: give the full name", report.info.agency, names);
    }
    report.info.agency = resolved.name;
    return leitong::render_json(leitong::check_against_archive(archive, report, params));
  }

  // `leitong yoy --format json` or `--format csv`.
  std::string yoy(const leitong::YoyParams& params, bool csv) {
    py::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    const leitong::YoyResult result = leitong::year_over_year(open_archive(), params);
    return csv ? leitong::render_yoy_csv(result) : leitong::json_text(leitong::yoy_to_json(result));
  }

  std::string clusters(const leitong::ClusterParams& params) {
    py::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    return leitong::json_text(leitong::clusters_to_json(leitong::find_clusters(open_archive(), params)));
  }

  std::string boilerplate(const leitong::BoilerplateParams& params) {
    py::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    return leitong::json_text(leitong::boilerplate_to_json(leitong::mine_boilerplate(open_archive(), params)));
  }

  std::string stats() {
    py::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    return leitong::json_text(leitong::stats_to_json(open_archive().stats()));
  }

  std::vector<std::string> agencies() {
    py::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    return open_archive().agency_names();
  }

  std::vector<leitong::DocumentInfo> documents() {
    py::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    return open_archive().documents();
  }

  std::u32string text(std::int64_t id) {
    py::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    return open_archive().text(id);
  }

  std::int64_t size() {
    py::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    return open_archive().document_count();
  }

  // The distributed clusters' first stage (leitong/dask.py): of `ids`, the reports (of `year`, when
  // not 0) with their year and the LSH band keys the archive files them under (lsh_band_keys of the
  // signature make_sketch gives with the archive's parameters).
  py::tuple report_band_keys(const std::vector<std::int64_t>& ids, int year) {
    std::vector<std::int64_t> kept;
    std::vector<std::int32_t> years;
    std::vector<std::uint64_t> keys;
    std::size_t bands = 0;
    {
      py::gil_scoped_release release;
      std::lock_guard lock(mutex_);
      const leitong::Archive& archive = open_archive();
      const leitong::ArchiveParams& params = archive.params();
      bands = static_cast<std::size_t>(params.lsh.bands);
      for (std::int64_t id : ids) {
        const leitong::DocumentInfo info = archive.info(id);
        if (info.kind != leitong::DocumentKind::kReport || (year && info.year != year)) continue;
        const leitong::Sketch sketch = leitong::make_sketch(archive.text(id), params.sketch);
        const std::vector<std::uint64_t> band_keys = leitong::lsh_band_keys(sketch.minhash, params.lsh);
        kept.push_back(id);
        years.push_back(info.year);
        keys.insert(keys.end(), band_keys.begin(), band_keys.end());
      }
    }
    py::array_t<std::uint64_t> key_array({py::ssize_t(kept.size()), py::ssize_t(bands)});
    std::copy(keys.begin(), keys.end(), key_array.mutable_data());
    return py::make_tuple(py::array_t<std::int64_t>(kept.size(), kept.data()),
                          py::array_t<std::int32_t>(years.size(), years.data()), key_array);
  }

  // The distributed clusters' verification stage: for each candidate pair (a[i], b[i]), the
  // archive's MinHash estimate and, where it reaches `min_jaccard`, the share of each report inside
  // passages shared with the other (a in b, b in a; NaN where not aligned), as find_clusters
  // computes them.
  py::tuple pair_scores(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b, double min_jaccard) {
    if (a.size() != b.size()) throw_usage("pair_scores: {} first and {} second ids", a.size(), b.size());
    std::vector<double> estimate(a.size()), a_in_b(a.size(), NAN), b_in_a(a.size(), NAN);
    {
      py::gil_scoped_release release;
      std::lock_guard lock(mutex_);
      const leitong::Archive& archive = open_archive();
      const leitong::SketchParams& sp = archive.params().sketch;
      const leitong::AlignParams align_params = leitong::ClusterParams{}.align;
      std::unordered_map<std::int64_t, leitong::Sketch> sketches;
      auto sketch = [&](std::int64_t id) -> const leitong::Sketch& {
        auto it = sketches.find(id);
        if (it == sketches.end()) it = sketches.emplace(id, leitong::make_alignment_sketch(archive.text(id), sp)).first;
        return it->second;
      };
      auto coverage = [&](const leitong::Sketch& query, const leitong::Sketch& source) {
        if (query.normalized.size() == 0) return 0.0;
        std::size_t covered = 0;
        for (const leitong::AlignedPassage& p : leitong::align(query, source, sp.shingle.n, align_params))
          covered += p.query_end - p.query_begin;
        return double(covered) / double(query.normalized.size());
      };
      for (std::size_t i = 0; i < a.size(); ++i) {
        estimate[i] = archive.estimate_jaccard(archive.signature(a[i]), archive.signature(b[i]));
        if (estimate[i] < min_jaccard) continue;
        a_in_b[i] = coverage(sketch(a[i]), sketch(b[i]));
        b_in_a[i] = coverage(sketch(b[i]), sketch(a[i]));
      }
    }
    return py::make_tuple(py::array_t<double>(estimate.size(), estimate.data()),
                          py::array_t<double>(a_in_b.size(), a_in_b.data()),
                          py::array_t<double>(b_in_a.size(), b_in_a.data()));
  }

  leitong::SketchParams sketch_parameters() {
    std::lock_guard lock(mutex_);
    return open_archive().params().sketch;
  }

 private:
  leitong::Archive& open_archive() {
    if (!archive_) throw Error(fmt::format("{}: archive is closed", path_));
    return *archive_;
  }

  std::string path_;
  bool writable_ = false;
  std::mutex mutex_;
  std::optional<leitong::Archive> archive_;
  leitong::AgencyResolver agencies_;  // short forms resolved without reading the register for each check
};

py::dict document_dict(const leitong::DocumentInfo& info) {
  return py::dict("id"_a = info.id, "file"_a = info.file, "agency"_a = info.agency, "year"_a = info.year,
                  "kind"_a = std::string(leitong::kind_name(info.kind)));
}

Input make_input(std::optional<std::string> path, std::optional<std::u32string> text, std::string name) {
  if (path.has_value() == text.has_value()) throw_usage("give either a path or a text");
  return Input{std::move(path), text ? std::move(*text) : std::u32string(), std::move(name)};
}

}  // namespace

PYBIND11_MODULE(_leitong, m) {
  m.doc() = "leitong's library: extraction, normalization, sketches and archive analyses (see the leitong package).";
  m.attr("__version__") = LEITONG_VERSION;

  // Error first, its subclasses after: pybind11 tries the translators registered last first.
  static py::exception<Error>& error = py::register_exception<Error>(m, "Error", PyExc_Exception);
  error.attr("__module__") = "leitong";
  error.attr("__doc__") = "An input, user or I/O error of leitong; str(e) is the library's message (\"FILE: reason\").";
  static py::exception<leitong::ArchiveWriteError>& write_error =
      py::register_exception<leitong::ArchiveWriteError>(m, "ArchiveWriteError", error.ptr());
  write_error.attr("__module__") = "leitong";
  write_error.attr("__doc__") = "The archive could not be written (disk full, read-only, damaged): the add did not happen.";
  // A usage error is both a leitong.Error and a ValueError (a bad year, kind or parameter).
  static py::object usage_error = py::reinterpret_steal<py::object>(
      PyErr_NewExceptionWithDoc("leitong.UsageError", "An argument leitong refuses (a year out of range, an unknown kind).",
                                py::make_tuple(error, py::handle(PyExc_ValueError)).ptr(), nullptr));
  m.attr("UsageError") = usage_error;
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const UsageError& e) {
      PyErr_SetString(usage_error.ptr(), e.what());
    }
  });

  m.def("extract_json", &extract_json, "path"_a, "keep_chrome"_a = false, "max_file_mb"_a = 64,
        "`leitong extract --format json PATH` (schema leitong.extract/1) as JSON text.");

  m.def(
      "normalize",
      [](const std::u32string& text, bool offsets, bool nfkc, bool fold_case, bool canonical_punctuation,
         bool drop_whitespace, bool mask_digits, bool traditional_to_simplified,
         bool mask_chinese_numerals) -> py::object {
        leitong::NormalizeParams params{nfkc,        fold_case, canonical_punctuation, drop_whitespace,
                                        mask_digits, traditional_to_simplified, mask_chinese_numerals};
        leitong::NormalizedText normalized;
        {
          py::gil_scoped_release release;
          normalized = leitong::normalize(text, params);
        }
        py::str chars = py::cast(normalized.chars);
        if (!offsets) return chars;
        return py::make_tuple(chars, py::array_t<std::uint32_t>(normalized.begin.size(), normalized.begin.data()),
                              py::array_t<std::uint32_t>(normalized.end.size(), normalized.end.data()));
      },
      "text"_a, py::kw_only(), "offsets"_a = false, "nfkc"_a = true, "fold_case"_a = true,
      "canonical_punctuation"_a = true, "drop_whitespace"_a = true, "mask_digits"_a = true,
      "traditional_to_simplified"_a = true, "mask_chinese_numerals"_a = true,
      "The text leitong compares (leitong::normalize); with offsets=True also, for each of its characters, "
      "the range [begin, end) of `text` it came from, as two uint32 arrays.");

  const leitong::MinHashParams minhash_defaults;
  py::class_<PySketch>(m, "Sketch",
                       "Everything leitong computes from one text before indexing or comparing it (leitong::Sketch).")
      .def(py::init([](const py::str& text, int shingle, int k, std::uint64_t seed) {
             return std::make_unique<PySketch>(utf32_of(text), sketch_params(shingle, k, seed));
           }),
           "text"_a, py::kw_only(), "shingle"_a = leitong::ShingleParams{}.n, "k"_a = minhash_defaults.k,
           "seed"_a = minhash_defaults.seed)
      .def_property_readonly("shingle", [](const PySketch& s) { return s.sketch().params.shingle.n; })
      .def_property_readonly("k", [](const PySketch& s) { return s.sketch().params.minhash.k; })
      .def_property_readonly("seed", [](const PySketch& s) { return s.sketch().params.minhash.seed; })
      .def_property_readonly("normalized", [](const PySketch& s) { return s.sketch().normalized.chars; },
                             "The normalized text the hashes are computed from.")
      .def_property_readonly(
          "minhash", [](py::object self) { return readonly_view(self.cast<const PySketch&>().sketch().minhash, self); },
          "The MinHash signature: a read-only uint32 array of k values.")
      .def_property_readonly("simhash", [](const PySketch& s) { return s.sketch().simhash; }, "SimHash-64, an int.")
      .def_property_readonly(
          "shingles", [](py::object self) { return readonly_view(self.cast<const PySketch&>().sketch().shingles, self); },
          "XXH3-64 hash of every window of `shingle` normalized characters: a read-only uint64 array.")
      .def_property_readonly(
          "fingerprint_hashes",
          [](py::object self) { return readonly_view(self.cast<const PySketch&>().fingerprint_hashes(), self); },
          "Winnowed fingerprints' hashes (uint64).")
      .def_property_readonly(
          "fingerprint_positions",
          [](py::object self) { return readonly_view(self.cast<const PySketch&>().fingerprint_positions(), self); },
          "Winnowed fingerprints' positions: the normalized character each starts at (uint32).")
      .def("jaccard",
           [](const PySketch& a, const PySketch& b) {
             return leitong::estimate_jaccard(a.sketch().minhash, b.sketch().minhash);
           },
           "other"_a, "MinHash estimate of the Jaccard similarity of the two shingle sets.")
      .def("exact_jaccard",
           [](const PySketch& a, const PySketch& b) {
             py::gil_scoped_release release;
             return leitong::exact_jaccard(leitong::shingle_set(a.sketch().shingles),
                                           leitong::shingle_set(b.sketch().shingles));
           },
           "other"_a, "Exact Jaccard similarity of the two shingle sets.")
      .def("simhash_distance",
           [](const PySketch& a, const PySketch& b) { return leitong::hamming_distance(a.sketch().simhash, b.sketch().simhash); },
           "other"_a, "Hamming distance of the two SimHash-64 values (0..64).")
      .def("__len__", [](const PySketch& s) { return s.sketch().normalized.size(); })
      .def("__repr__", [](const PySketch& s) {
        return fmt::format("<leitong.Sketch of {} normalized characters, shingle={}, k={}>",
                           s.sketch().normalized.size(), s.sketch().params.shingle.n, s.sketch().params.minhash.k);
      });

  m.def(
      "jaccard",
      [](py::handle a, py::handle b) {
        const std::vector<std::uint32_t> sa = signature_of(a), sb = signature_of(b);
        if (sa.size() != sb.size()) throw_usage("signatures of different lengths ({} and {})", sa.size(), sb.size());
        return leitong::estimate_jaccard(sa, sb);
      },
      "a"_a, "b"_a,
      "MinHash estimate of Jaccard similarity from two Sketches or two uint32 signatures (0 when either is empty).");
  m.def(
      "simhash_distance",
      [](py::handle a, py::handle b) { return leitong::hamming_distance(simhash_of(a), simhash_of(b)); }, "a"_a,
      "b"_a, "Hamming distance of two SimHash-64 values (Sketches or ints).");
  m.def(
      "signatures",
      [](const std::vector<py::str>& texts, int shingle, int k, std::uint64_t seed, int threads) {
        std::vector<std::u32string> code_points;
        code_points.reserve(texts.size());
        for (const py::str& text : texts) code_points.push_back(utf32_of(text));
        return signatures(code_points, sketch_params(shingle, k, seed), threads);
      },
      "texts"_a, py::kw_only(), "shingle"_a = leitong::ShingleParams{}.n, "k"_a = minhash_defaults.k,
      "seed"_a = minhash_defaults.seed, "threads"_a = 1,
      "MinHash signatures (an n x k uint32 array) and SimHash values (n uint64) of many texts, equal to "
      "Sketch(text).minhash and .simhash, computed with `threads` threads (0: one per core).");

  py::class_<Input>(m, "_Input");
  m.def("_input", &make_input, "path"_a, "text"_a, "name"_a);

  m.def(
      "compare_json",
      [](const Input& a, const Input& b, int shingle, std::optional<int> min_passage, std::optional<int> max_gap,
         std::optional<int> boilerplate_agencies, std::optional<int> max_candidates) {
        return compare_json(a, b, shingle,
                            check_params({}, min_passage, max_gap, boilerplate_agencies, max_candidates));
      },
      "a"_a, "b"_a, "shingle"_a = leitong::ShingleParams{}.n, "min_passage"_a = py::none(), "max_gap"_a = py::none(),
      "boilerplate_agencies"_a = py::none(), "max_candidates"_a = py::none(),
      "`leitong compare --format json A B` (schema leitong.check/1) as JSON text.");

  m.def("is_document_extension", &leitong::is_document_extension, "extension"_a,
        "Whether `leitong add DIR` picks up files with this extension (lower case, with the dot).");
  m.def("canonical_agency", &leitong::canonical_agency, "name"_a,
        "An agency name as the archive files it (whitespace trimmed, widths folded).");

  py::class_<PyArchive>(m, "Archive", "A leitong archive file (leitong::Archive).")
      .def(py::init<const std::string&, const std::string&>(), "path"_a, "mode"_a = "r")
      .def_property_readonly("path", &PyArchive::path)
      .def_property_readonly("writable", &PyArchive::writable)
      .def_property_readonly("closed", &PyArchive::closed)
      .def("close", &PyArchive::close, "Commits what is pending and closes the connection.")
      .def(
          "add_files",
          [](PyArchive& self, const std::vector<std::string>& paths, const std::string& agency, int year,
             const std::string& kind, bool keep_chrome, std::size_t max_file_mb, int batch, bool stop_at_refusal) {
            require_year(year);
            const leitong::DocumentKind parsed_kind = require_kind(kind);
            if (!agency.empty() && agency.find_first_not_of(" \t") == std::string::npos) throw_usage("agency is empty");
            std::vector<AddJob> jobs;
            for (const std::string& p : paths) jobs.push_back({p, agency, year, parsed_kind, ""});
            return self.add(std::move(jobs), extract_params(keep_chrome, max_file_mb), batch, stop_at_refusal);
          },
          "paths"_a, "agency"_a, "year"_a, "kind"_a, "keep_chrome"_a, "max_file_mb"_a, "batch"_a, "stop_at_refusal"_a)
      .def(
          "add_manifest",
          [](PyArchive& self, const std::string& csv, bool keep_chrome, std::size_t max_file_mb, int batch,
             bool stop_at_refusal) {
            std::vector<AddJob> jobs;
            {
              py::gil_scoped_release release;
              leitong::ManifestReader manifest(csv);
              while (std::optional<leitong::ManifestRow> row = manifest.next())
                jobs.push_back({row->path.string(), std::move(row->agency), row->year, row->kind,
                                row->error.empty() ? "" : fmt::format("{}: line {}: {}", csv, row->line, row->error)});
            }
            return self.add(std::move(jobs), extract_params(keep_chrome, max_file_mb), batch, stop_at_refusal);
          },
          "csv"_a, "keep_chrome"_a, "max_file_mb"_a, "batch"_a, "stop_at_refusal"_a)
      .def(
          "add_text",
          [](PyArchive& self, const std::u32string& text, const std::string& file, const std::string& agency, int year,
             const std::string& kind) {
            if (year == 0) throw_usage("give year=");
            require_year(year);
            return self.add_text(text, file, agency, year, require_kind(kind));
          },
          "text"_a, "file"_a, "agency"_a, "year"_a, "kind"_a)
      .def(
          "check_json",
          [](PyArchive& self, const Input& input, const std::string& agency, int year, bool keep_chrome,
             std::size_t max_file_mb, std::optional<int> min_passage, std::optional<int> max_gap,
             std::optional<int> boilerplate_agencies, std::optional<int> max_candidates) {
            require_year(year);
            if (!agency.empty() && agency.find_first_not_of(" \t") == std::string::npos) throw_usage("agency is empty");
            return self.check(input, agency, year, extract_params(keep_chrome, max_file_mb),
                              check_params({}, min_passage, max_gap, boilerplate_agencies, max_candidates));
          },
          "input"_a, "agency"_a, "year"_a, "keep_chrome"_a, "max_file_mb"_a, "min_passage"_a, "max_gap"_a,
          "boilerplate_agencies"_a, "max_candidates"_a)
      .def(
          "yoy_text",
          [](PyArchive& self, const std::string& format, int year, double threshold, bool all_prior, int threads, std::optional<int> min_passage,
             std::optional<int> max_gap, std::optional<int> boilerplate_agencies, std::optional<int> max_candidates) {
            require_year(year);
            if (!(threshold >= 0 && threshold <= 1)) throw_usage("threshold must be in [0, 1], not {}", threshold);
            if (threads < 0 || threads > 256) throw_usage("threads must be in [0, 256], not {}", threads);
            leitong::YoyParams params;
            if (year) params.year = year;
            params.threshold = threshold;
            params.all_prior = all_prior;
            params.threads = threads;
            params.check = check_params(params.check, min_passage, max_gap, boilerplate_agencies, max_candidates);
            if (format != "json" && format != "csv") throw_usage("format must be json or csv, not '{}'", format);
            return self.yoy(params, format == "csv");
          },
          "format"_a, "year"_a, "threshold"_a, "all_prior"_a, "threads"_a, "min_passage"_a, "max_gap"_a, "boilerplate_agencies"_a,
          "max_candidates"_a)
      .def(
          "clusters_json",
          [](PyArchive& self, int year, bool across_years, double min_ratio) {
            require_year(year);
            if (!(min_ratio >= 0 && min_ratio <= 1)) throw_usage("min_ratio must be in [0, 1], not {}", min_ratio);
            leitong::ClusterParams params;
            if (year) params.year = year;
            params.across_years = across_years;
            params.min_copy_ratio = min_ratio;
            return self.clusters(params);
          },
          "year"_a, "across_years"_a, "min_ratio"_a)
      .def(
          "boilerplate_json",
          [](PyArchive& self, std::size_t top, int min_agencies) {
            if (top < 1 || top > 100000) throw_usage("top must be in [1, 100000], not {}", top);
            if (min_agencies < 1) throw_usage("boilerplate_agencies must be at least 1, not {}", min_agencies);
            leitong::BoilerplateParams params;
            params.top = top;
            params.min_agencies = min_agencies;
            return self.boilerplate(params);
          },
          "top"_a, "boilerplate_agencies"_a)
      .def("stats_json", &PyArchive::stats)
      .def("agencies", &PyArchive::agencies, "The archive's agency names (canonical), sorted.")
      .def(
          "documents",
          [](PyArchive& self) {
            py::list out;
            for (const leitong::DocumentInfo& info : self.documents()) out.append(document_dict(info));
            return out;
          },
          "Every document's id, file, agency, year and kind, in id order.")
      .def("text", &PyArchive::text, "id"_a, "A document's extracted text.")
      .def(
          "sketch_parameters",
          [](PyArchive& self) {
            const leitong::SketchParams p = self.sketch_parameters();
            return py::dict("shingle"_a = p.shingle.n, "k"_a = p.minhash.k, "seed"_a = p.minhash.seed);
          },
          "The shingle size, MinHash k and seed the archive was built with (Sketch's keywords).")
      .def("report_band_keys", &PyArchive::report_band_keys, "ids"_a, "year"_a = 0,
           "Of `ids`, the reports (of `year` unless 0): (ids int64, years int32, LSH band keys uint64 n x bands).")
      .def("pair_scores", &PyArchive::pair_scores, "a"_a, "b"_a, "min_jaccard"_a = leitong::ClusterParams{}.min_jaccard,
           "For pairs (a[i], b[i]): (MinHash estimate, share of a in passages shared with b, of b in a; NaN "
           "where the estimate is below min_jaccard), as find_clusters computes them.")
      .def("__len__", &PyArchive::size);
}
