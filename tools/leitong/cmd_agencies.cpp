// leitong agencies list|alias|rename|merge: the archive's register of agencies (DESIGN.md
// "Agencies and sections"): one entry per agency, other names as aliases.
#include <fmt/format.h>
#include <leitong/archive/archive.h>
#include <leitong/core/document.h>
#include <leitong/core/text.h>
#include <leitong/render/report.h>

#include <map>
#include <memory>

#include "commands.h"
#include "options.h"

namespace leitong::cli {

namespace {

struct AgenciesOptions {
  std::string archive;
  std::string format = "text";
  std::string agency, other;
};

int run_list(const AgenciesOptions& o) {
  const Archive archive = open_for_reading(o.archive);
  struct Entry {
    std::int64_t documents = 0;
    int first_year = 0, last_year = 0;
    std::vector<std::string> aliases;
  };
  std::map<std::string, Entry> entries;
  for (const std::string& name : archive.agency_names()) entries[name];
  for (const DocumentInfo& d : archive.documents()) {
    Entry& e = entries[canonical_agency(d.agency)];
    ++e.documents;
    e.first_year = e.first_year ? std::min(e.first_year, d.year) : d.year;
    e.last_year = std::max(e.last_year, d.year);
  }
  for (const auto& [alias, name] : archive.agency_aliases()) entries[name].aliases.push_back(alias);
  if (o.format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [name, e] : entries)
      list.push_back({{"name", name},
                      {"documents", e.documents},
                      {"first_year", e.first_year},
                      {"last_year", e.last_year},
                      {"aliases", e.aliases}});
    write_output("", json_text({{"schema", "leitong.agencies/1"}, {"agencies", list}}));
    return kExitOk;
  }
  for (const auto& [name, e] : entries) {
    std::string aliases;
    for (const std::string& a : e.aliases) aliases += (aliases.empty() ? "" : ", ") + escape_controls(a);
    fmt::print("{}  {} document{}{}{}\n", escape_controls(name), e.documents, e.documents == 1 ? "" : "s",
               e.documents ? fmt::format(", {}–{}", e.first_year, e.last_year) : std::string(),
               aliases.empty() ? std::string() : "; also " + aliases);
  }
  fmt::print("{} agencies\n", entries.size());
  return kExitOk;
}

Archive open_for_writing(const std::string& path) {
  if (!std::filesystem::exists(path)) throw_error("{}: no such archive", path);
  return Archive::open(path, Archive::Mode::kReadWrite);
}

}  // namespace

Runner register_agencies(CLI::App& app) {
  auto o = std::make_shared<AgenciesOptions>();
  auto action = std::make_shared<std::function<int()>>();
  app.footer(
      "Each agency is one entry of the register, filed under one name; aliases are its other names\n"
      "(简称, 全称, its name before a 机构改革). add, check and the service file a name given as an\n"
      "alias, a short form or a long form under its entry. merge moves every document and index entry\n"
      "of one agency to another (the merged name stays an alias); rename changes an entry's name (the\n"
      "old one stays an alias).");
  app.require_subcommand(1);
  CLI::App* list = app.add_subcommand("list", "Every agency with its documents, years and aliases");
  add_archive_option(*list, o->archive);
  list->add_option("--format", o->format, kFormatHelp)->capture_default_str()->check(CLI::IsMember({"text", "json"}));
  list->callback([o, action] { *action = [o] { return run_list(*o); }; });

  CLI::App* alias = app.add_subcommand("alias", "Give an agency another name: alias AGENCY OTHER_NAME");
  add_archive_option(*alias, o->archive);
  alias->add_option("AGENCY", o->agency, "The agency as the archive names it")->required();
  alias->add_option("ALIAS", o->other, "Its other name")->required();
  alias->callback([o, action] {
    *action = [o] {
      Archive archive = open_for_writing(o->archive);
      archive.add_agency_alias(o->agency, o->other);
      fmt::print("{} is now also {}\n", escape_controls(canonical_agency(o->agency)),
                 escape_controls(canonical_agency(o->other)));
      return kExitOk;
    };
  });

  CLI::App* rename = app.add_subcommand("rename", "Rename an agency: rename AGENCY NEW_NAME (the old name stays an alias)");
  add_archive_option(*rename, o->archive);
  rename->add_option("AGENCY", o->agency, "The agency as the archive names it")->required();
  rename->add_option("NEW_NAME", o->other, "Its name from now on")->required();
  rename->callback([o, action] {
    *action = [o] {
      Archive archive = open_for_writing(o->archive);
      archive.rename_agency(o->agency, o->other);
      fmt::print("{} is now {} (the old name stays an alias)\n", escape_controls(canonical_agency(o->agency)),
                 escape_controls(canonical_agency(o->other)));
      return kExitOk;
    };
  });

  CLI::App* merge = app.add_subcommand("merge", "Merge one agency into another: merge FROM INTO (FROM stays an alias)");
  add_archive_option(*merge, o->archive);
  merge->add_option("FROM", o->agency, "The agency whose documents move")->required();
  merge->add_option("INTO", o->other, "The agency that keeps them")->required();
  merge->callback([o, action] {
    *action = [o] {
      Archive archive = open_for_writing(o->archive);
      const std::int64_t moved = archive.merge_agencies(o->agency, o->other);
      fmt::print("{} document{} of {} now filed under {} ({} stays an alias)\n", moved, moved == 1 ? "" : "s",
                 escape_controls(canonical_agency(o->agency)), escape_controls(canonical_agency(o->other)),
                 escape_controls(canonical_agency(o->agency)));
      return kExitOk;
    };
  });
  return [action] { return (*action)(); };
}

}  // namespace leitong::cli
