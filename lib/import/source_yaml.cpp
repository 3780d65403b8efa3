#include <billrun/config/yaml.hpp>
#include <billrun/core/text.hpp>

#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "source.hpp"

namespace billrun::import {

namespace {

bool is_kind_key(Kind kind, const std::string& folded)
{
    switch (kind) {
    case Kind::customers:
        return folded == "customers" || folded == "clientes";
    case Kind::services:
        return folded == "services" || folded == "servicos";
    case Kind::contracts:
        return folded == "contracts" || folded == "contratos";
    case Kind::charges:
        return folded == "charges" || folded == "cobrancas" || folded == "lancamentos";
    case Kind::payments:
        return folded == "payments" || folded == "pagamentos" || folded == "recebimentos";
    }
    return false;
}

class YamlSource final : public Source {
public:
    YamlSource(Kind kind, std::string name) : m_kind(kind), m_name(std::move(name)) {}

    Result<void> load(std::istream& in)
    {
        try {
            std::ostringstream text;
            text << in.rdbuf();
            auto docs = config::load_all_yaml(text.str());
            for (const auto& doc : docs) {
                if (doc.IsNull()) {
                    continue;
                }
                if (doc.IsSequence()) {
                    for (const auto& item : doc) {
                        m_nodes.push_back(item);
                    }
                    continue;
                }
                if (doc.IsMap() && doc.size() == 1) {
                    auto key = doc.begin()->first;
                    auto value = doc.begin()->second;
                    if (key.IsScalar() && is_kind_key(m_kind, fold_key(key.Scalar())) && value.IsSequence()) {
                        for (const auto& item : value) {
                            m_nodes.push_back(item);
                        }
                        continue;
                    }
                }
                m_nodes.push_back(doc);
            }
        } catch (const YAML::Exception& e) {
            return fail(ErrorCode::data_invalid, fmt::format("{}:{}:{}: invalid YAML: {}", m_name, e.mark.line + 1,
                                                             e.mark.column + 1, e.msg));
        }
        return {};
    }

    Result<bool> next(RawRecord& out, std::vector<Problem>& problems) override
    {
        if (m_next >= m_nodes.size()) {
            return false;
        }
        const YAML::Node& node = m_nodes[m_next++];
        out.clear();
        out.line = node.Mark().line + 1;
        if (!node.IsMap()) {
            problems.push_back(problem(node, fmt::format("expected a {} record (a map of fields)", record_word())));
            return true;
        }
        for (const auto& kv : node) {
            const YAML::Node& key = kv.first;
            const YAML::Node& value = kv.second;
            if (!key.IsScalar()) {
                problems.push_back(problem(key, "a field name must be text"));
                continue;
            }
            std::string folded = fold_key(key.Scalar());
            if (folded == "kind" || folded == "version") {
                continue;
            }
            if (m_kind == Kind::contracts && (folded == "items" || folded == "itens")) {
                read_items(value, out, problems);
                continue;
            }
            auto field = match_field(m_kind, key.Scalar());
            if (!field) {
                problems.push_back(problem(key, fmt::format("unknown field '{}' for {}", key.Scalar(), kind_name(m_kind))));
                continue;
            }
            if (auto text = scalar_text(value, problems)) {
                set(out[*field], *text, value);
            }
        }
        return true;
    }

private:
    std::string record_word() const { return std::string(kind_name(m_kind)); }

    Problem problem(const YAML::Node& node, std::string message) const
    {
        return Problem{m_name, node.Mark().line + 1, node.Mark().column + 1, std::move(message)};
    }

    static void set(RawField& f, std::string text, const YAML::Node& node)
    {
        f.value = std::string(trim(text));
        f.present = true;
        f.line = node.Mark().line + 1;
        f.column = node.Mark().column + 1;
    }

    // A scalar's text; a list of scalars (several e-mails) is joined with "; ".
    std::optional<std::string> scalar_text(const YAML::Node& value, std::vector<Problem>& problems) const
    {
        if (value.IsNull()) {
            return std::nullopt;
        }
        if (value.IsScalar()) {
            return value.Scalar();
        }
        if (value.IsSequence()) {
            std::string joined;
            for (const auto& item : value) {
                if (!item.IsScalar()) {
                    problems.push_back(problem(item, "expected text"));
                    return std::nullopt;
                }
                if (!joined.empty()) {
                    joined += "; ";
                }
                joined += item.Scalar();
            }
            return joined;
        }
        problems.push_back(problem(value, "expected text, found a map"));
        return std::nullopt;
    }

    void read_items(const YAML::Node& value, RawRecord& out, std::vector<Problem>& problems) const
    {
        if (!value.IsSequence()) {
            problems.push_back(problem(value, "items must be a list of {service, quantity, price}"));
            return;
        }
        for (const auto& item : value) {
            RawItem raw;
            raw.line = item.Mark().line + 1;
            if (item.IsScalar()) {
                set(raw.service, item.Scalar(), item);
                out.items.push_back(std::move(raw));
                continue;
            }
            if (!item.IsMap()) {
                problems.push_back(problem(item, "an item must be a map of service, quantity and price"));
                continue;
            }
            for (const auto& kv : item) {
                auto field = kv.first.IsScalar() ? match_field(Kind::contracts, kv.first.Scalar()) : std::nullopt;
                RawField* target = nullptr;
                if (field == Field::service) {
                    target = &raw.service;
                } else if (field == Field::quantity) {
                    target = &raw.quantity;
                } else if (field == Field::price) {
                    target = &raw.price;
                }
                if (target == nullptr) {
                    problems.push_back(problem(kv.first, fmt::format("unknown item field '{}' (service, quantity, price)",
                                                                     kv.first.IsScalar() ? kv.first.Scalar() : "?")));
                    continue;
                }
                if (auto text = scalar_text(kv.second, problems)) {
                    set(*target, *text, kv.second);
                }
            }
            out.items.push_back(std::move(raw));
        }
    }

    Kind m_kind;
    std::string m_name;
    std::vector<YAML::Node> m_nodes;
    std::size_t m_next = 0;
};

bool looks_like_yaml(std::string_view first_line)
{
    first_line = trim(first_line);
    if (first_line.starts_with("---") || first_line.starts_with("%YAML") || first_line.starts_with("- ") ||
        first_line.starts_with("#")) {
        return true;
    }
    auto colon = first_line.find(':');
    return colon != std::string_view::npos && first_line.find(';') == std::string_view::npos &&
           first_line.find(',') == std::string_view::npos && first_line.find('\t') == std::string_view::npos;
}

bool has_yaml_extension(const std::string& name)
{
    auto lower = fold_key(name);  // dots dropped: "x.yaml" -> "xyaml"
    return name.size() > 5 && (lower.ends_with("yaml") || lower.ends_with("yml")) &&
           (name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".YAML") || name.ends_with(".YML"));
}

}  // namespace

Result<std::unique_ptr<Source>> open_csv_source(Kind kind, io::Input& input, std::vector<Problem>& warnings);

Result<std::unique_ptr<Source>> open_source(Kind kind, io::Input& input, std::vector<Problem>& warnings)
{
    bool yaml = input.name == "<stdin>" ? looks_like_yaml(io::peek_first_line(input))
                                        : has_yaml_extension(input.name);
    if (!yaml) {
        return open_csv_source(kind, input, warnings);
    }
    auto source = std::make_unique<YamlSource>(kind, input.name);
    if (auto loaded = source->load(*input.stream); !loaded) {
        return tl::unexpected(loaded.error());
    }
    return std::unique_ptr<Source>(std::move(source));
}

}  // namespace billrun::import
