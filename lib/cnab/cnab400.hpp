#pragma once
// The banks' 400-position remessa (private to lib/cnab): header '0', one or more records
// per title, trailer '9', each numbered at 395-400. A bank subclass writes its positions.
#include <cstdint>
#include <string>
#include <string_view>

#include <billrun/cnab/remessa.hpp>

#include "fields.hpp"

namespace billrun::cnab::detail {

constexpr int k_width_400 = 400;

class Cnab400Writer : public RemessaWriter {
public:
    void header(std::string& out) final;
    void title(const Title& title, std::string& out) final;
    void trailer(std::string& out) final;

protected:
    explicit Cnab400Writer(const RemessaHeader& header);

    // Before file_header runs: 1-26 "01REMESSA01COBRANCA", 77-79 bank, 95-100 date.
    virtual void file_header(Record& r) const = 0;
    // Writes the title's records through next_record(); the first is the detail.
    virtual void title_records(const Title& t, std::string& out) = 0;
    // Before file_trailer runs: 1 '9'.
    virtual void file_trailer(Record& /*r*/) const {}

    // A new record numbered at 395-400.
    Record next_record(std::string& out);

    const RemessaHeader& head() const { return m_header; }
    std::string_view company_id() const { return m_company_id; }  // letters kept
    char company_kind() const { return m_company_kind; }
    std::int64_t records() const { return m_records; }  // written so far
    Centavos total_amount() const { return m_total_amount; }

    // 2-3 and 4-17 of a detail: the beneficiary's kind ("01" CPF, "02" CNPJ) and tax id.
    void company(Record& r) const;
    // 219-220 and 221-234 of a detail: the payer's kind and tax id.
    static void payer_id(Record& r, const Payer& payer);

private:
    RemessaHeader m_header;
    DateCache m_dates;
    std::string m_company_id;
    char m_company_kind = '0';
    std::int64_t m_records = 0;
    Centavos m_total_amount = 0;
};

}  // namespace billrun::cnab::detail
