// The service's pages for people, in Chinese: server-rendered, one look with the evidence pages
// (render/html_report.h), forms that work without JavaScript, nothing loaded from the network.
// Every value from a user, a file or the archive is escaped. Forms that change state carry the
// session's CSRF token in a hidden field `csrf_token`.
#pragma once

#include <leitong/analysis/yoy.h>
#include <leitong/service/service.h>
#include <leitong/service/store.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace leitong {

std::string page_login(const std::string& error, const std::string& name);
// Agency staff's home: upload a draft, the agency's past checks (an inspector sees every agency's).
std::string page_checks(const Session& who, const std::vector<CheckRecord>& checks, const std::string& error);
// The inspector's dashboard: the archive's size, years (each a link to its yoy overview), uploads.
std::string page_dashboard(const Session& who, const nlohmann::json& stats, const std::vector<int>& years,
                           const std::vector<JobProgress>& jobs);
std::string page_upload(const Session& who, const std::vector<JobProgress>& jobs, const std::string& error);
// One add job; refreshes itself every two seconds while it runs.
std::string page_job(const Session& who, const JobProgress& job);
std::string page_users(const Session& who, const std::vector<User>& users, const std::string& error);
// Asks before an account is removed.
std::string page_remove_user(const Session& who, const User& user);
std::string page_boilerplate(const Session& who, const nlohmann::json& boilerplate);
std::string page_clusters(const Session& who, const nlohmann::json& clusters);
std::string page_error(const Session* who, int status, const std::string& message);

// A page of the renderers (evidence, yoy overview) with the service's navigation bar on top.
std::string with_navigation(const Session& who, const std::string& page);
// A check's evidence page in the service, with the link to its A4 report (PDF).
std::string page_check(const Session& who, const CheckRecord& record);

}  // namespace leitong
