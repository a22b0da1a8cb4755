// leitong user add|list|remove|passwd: the service's accounts, kept beside the archive.
#include <fmt/format.h>
#include <leitong/core/document.h>
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <leitong/service/store.h>
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "commands.h"
#include "options.h"

namespace leitong::cli {

namespace {

struct UserOptions {
  std::string archive;
  std::string name;
  std::string role;
  std::string agency;
  bool new_agency = false;
};

// One line of standard input; at a terminal, asked for twice without echo.
std::string read_password(bool confirm) {
  const bool terminal = isatty(STDIN_FILENO);
  auto read_line = [&](const char* prompt) {
    termios saved{};
    if (terminal) {
      fmt::print(stderr, "{}", prompt);
      tcgetattr(STDIN_FILENO, &saved);
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    const bool got = static_cast<bool>(std::getline(std::cin, line));
    if (terminal) {
      tcsetattr(STDIN_FILENO, TCSANOW, &saved);
      fmt::print(stderr, "\n");
    }
    if (!got) throw_error("no password on standard input");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  };
  std::string password = read_line("password: ");
  if (terminal && confirm && read_line("again: ") != password) throw_error("the two passwords differ");
  return password;
}

ServiceStore open_store(const std::string& archive) {
  return ServiceStore::open(ServiceStore::path_for(archive));
}

}  // namespace

Runner register_user(CLI::App& app) {
  auto o = std::make_shared<UserOptions>();
  app.footer(
      "Accounts of the web service (leitong serve), kept beside the archive in ARCHIVE.service.\n"
      "Passwords are read from standard input (asked twice at a terminal) and stored as Argon2id hashes.");
  app.require_subcommand(1);
  CLI::App* add = app.add_subcommand("add", "Create an account");
  add_archive_option(*add, o->archive);
  add->add_option("--name", o->name, "Login name")->required();
  add->add_option("--role", o->role, "inspector (sees everything, adds reports, manages users) or agency")
      ->required()
      ->check(CLI::IsMember({"inspector", "agency"}));
  add->add_option("--agency", o->agency, "The agency an agency account belongs to (its name in the archive)");
  add->add_flag("--new-agency", o->new_agency, "Accept an agency name one character from a known one");
  CLI::App* list = app.add_subcommand("list", "List the accounts");
  add_archive_option(*list, o->archive);
  CLI::App* remove = app.add_subcommand("remove", "Remove an account (its sessions end)");
  add_archive_option(*remove, o->archive);
  remove->add_option("--name", o->name, "Login name")->required();
  CLI::App* passwd = app.add_subcommand("passwd", "Set an account's password (its sessions end)");
  add_archive_option(*passwd, o->archive);
  passwd->add_option("--name", o->name, "Login name")->required();
  return [o, add, list, remove, passwd]() -> int {
    try {
      ServiceStore store = open_store(o->archive);
      if (add->parsed()) {
        // An agency account checks as its agency: under the archive's own name for it.
        std::string agency = o->agency;
        if (!agency.empty() && std::filesystem::exists(o->archive)) {
          const Archive archive = open_for_reading(o->archive);
          const std::optional<std::string> known = agency_in_archive(archive, agency, "user add", o->new_agency);
          if (!known) return kExitUsage;
          agency = *known;
        }
        store.add_user(o->name, *parse_role(o->role), agency, read_password(true));
        fmt::print("added {} {}{}\n", o->role, escape_controls(o->name),
                   agency.empty() ? std::string() : " of " + escape_controls(canonical_agency(agency)));
      } else if (list->parsed()) {
        for (const User& u : store.users())
          fmt::print("{}\t{}\t{}\n", escape_controls(u.name), role_name(u.role), escape_controls(u.agency));
      } else if (remove->parsed()) {
        store.remove_user(o->name);
        fmt::print("removed {}\n", escape_controls(o->name));
      } else if (passwd->parsed()) {
        store.set_password(o->name, read_password(true));
        fmt::print("password of {} set; their sessions ended\n", escape_controls(o->name));
      }
    } catch (const Error& e) {
      print_error(fmt::format("user: {}", e.what()));
      return kExitUsage;
    }
    return kExitOk;
  };
}

}  // namespace leitong::cli
