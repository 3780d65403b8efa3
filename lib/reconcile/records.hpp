#pragma once
// The files reconcile reads (private to lib/reconcile): what a file is (its SHA-256 and
// format), and its records one by one as `Item`s, each with its identity (the key that is
// never applied twice).
#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <billrun/cnab/retorno.hpp>
#include <billrun/config/config.hpp>
#include <billrun/core/error.hpp>
#include <billrun/ledger/payments.hpp>
#include <billrun/reconcile/statement.hpp>

namespace billrun::reconcile::detail {

enum class Format { cnab, ofx, csv };

std::string_view format_name(Format f);

// The rank of a record among the identical ones of its file (1 for the first), in about 16
// bytes a record: the records' hashes in an open-addressing table, counts kept only for the
// few that repeat. Two different records whose hashes collide only get different ranks; their
// identities still differ by the record itself.
class RankCounter {
public:
    int next(std::string_view record)
    {
        std::uint64_t h = std::hash<std::string_view>{}(record);
        h = h == 0 ? 1 : h;
        if ((m_used + 1) * 2 > m_slots.size()) {
            grow();
        }
        std::size_t i = h & (m_slots.size() - 1);
        while (m_slots[i] != 0) {
            if (m_slots[i] == h) {
                return ++m_repeats.try_emplace(h, 1).first->second;
            }
            i = (i + 1) & (m_slots.size() - 1);
        }
        m_slots[i] = h;
        ++m_used;
        return 1;
    }

private:
    void grow()
    {
        std::vector<std::uint64_t> old = std::move(m_slots);
        m_slots.assign(std::max<std::size_t>(1024, old.size() * 2), 0);
        for (std::uint64_t h : old) {
            if (h != 0) {
                std::size_t i = h & (m_slots.size() - 1);
                while (m_slots[i] != 0) {
                    i = (i + 1) & (m_slots.size() - 1);
                }
                m_slots[i] = h;
            }
        }
    }

    std::vector<std::uint64_t> m_slots;
    std::size_t m_used = 0;
    std::unordered_map<std::uint64_t, int> m_repeats;  // hash -> rank of its latest repeat
};

struct FileFacts {
    std::string name;
    std::string hash;  // SHA-256, hex
    Format format = Format::csv;
};

// Reads the file once: its SHA-256 and, from its start, its format.
Result<FileFacts> inspect(const std::string& name);

// One record of any format, as the matching needs it.
struct Item {
    std::string record;  // line number or id
    std::string key;     // the bank record's identity
    // CNAB
    bool cnab = false;
    std::string bank;
    cnab::RetornoRecord ret;
    // statements
    StatementLine line;
    // CNAB records read ahead: the boletos the nosso número names, with their invoices as
    // they were when this run's transaction began (see Reconciler::refresh).
    bool looked_up = false;
    std::vector<ledger::BoletoMatch> found;
};

// Reads a file's records one by one into `item` and calls `each` (pass 2 applies); without
// `each`, only parses them (pass 1 counts them, and sees that the whole file reads).
// `each` may swap the item for another one (every field the record has is set again).
Result<std::int64_t> read_items(const FileFacts& f, const config::Config& config,
                                const std::function<Result<void>(Item&)>& each);

}  // namespace billrun::reconcile::detail
