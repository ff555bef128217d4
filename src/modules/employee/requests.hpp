#pragma once
// Decoding and validating the employee routes' request bodies and query parameters: each reader
// reports every bad field at once (400 validation_failed), before anything is looked up. Private
// to the employee module.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "core/http/message.hpp"
#include "modules/employee/employee.hpp"

namespace payrollx::employee::requests {

NewEmployee read_new_employee(boost::json::object body);
EmployeePatch read_patch(boost::json::object body);
Date read_termination(const boost::json::object& body);
std::string read_rejection(const boost::json::object& body);
std::string read_wallet_address(const boost::json::object& body);

// A PUT body: an array of components; each error names its element ("[2].amount"). `currency`,
// allowed on each element so that a GET answer can be sent back as it is, is returned for the
// service to compare with the salary currency.
struct ComponentList {
  std::vector<Component> components;
  std::vector<std::string> currencies;  // per element, "" when absent
};
ComponentList read_components(const boost::json::value& body);

EmployeeFilter read_filter(const http::Request& request);

struct DocumentQuery {
  std::string document_type;
  std::string file_name;
};
DocumentQuery read_document_query(const http::Request& request);

// ?dryRun=true|false (absent: false).
bool read_dry_run(const http::Request& request);

// Whether a Content-Type is `media_type` (case-insensitive, parameters allowed; a charset, when
// given, must be UTF-8).
bool is_media_type(std::string_view content_type, std::string_view media_type);

}  // namespace payrollx::employee::requests
