#pragma once
// Letters for registered post (dunning steps with channel `letter`): one A4 PDF each, with
// cairo: the company, the date, the addressee's block, the subject and the body.
#include <filesystem>
#include <string>
#include <vector>

#include <billrun/core/error.hpp>

namespace billrun::dunning {

struct Letter {
    std::string sender;                  // company name
    std::string place_and_date;          // "05/12/2026"
    std::vector<std::string> addressee;  // name, street, district, city/UF, CEP
    std::string subject;
    std::string body;                    // UTF-8, LF line ends; long lines are wrapped
};

// Writes the PDF atomically (temp file, then rename).
Result<void> write_letter(const std::filesystem::path& path, const Letter& letter);

}  // namespace billrun::dunning
