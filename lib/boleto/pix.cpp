#include <billrun/boleto/pix.hpp>

#include <billrun/core/text.hpp>

#include <array>
#include <cstddef>

namespace billrun::boleto {

namespace {

// A TLV value holds at most 99 characters (two length digits).
constexpr std::size_t k_tlv_max = 99;
constexpr std::size_t k_key_max = 77;    // 26 = 0014br.gov.bcb.pix (18) + 01 LL (4) + key
constexpr std::size_t k_name_max = 25;
constexpr std::size_t k_city_max = 15;
constexpr std::size_t k_txid_max = k_tlv_max - 4;  // inside 62 as 05 LL txid

// U+00C0..U+00FF (UTF-8 C3 80..C3 BF) without accents, upper case; "" drops the character.
constexpr std::array<const char*, 64> k_latin1_ascii = {
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    "D", "N", "O", "O", "O", "O", "O",  "",  "O", "U", "U", "U", "U", "Y", "",  "SS",
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    "D", "N", "O", "O", "O", "O", "O",  "",  "O", "U", "U", "U", "U", "Y", "",  "Y",
};

char upper(char c)
{
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

// Printable ASCII only: Latin-1 letters lose their accents, other characters are dropped.
std::string to_ascii(std::string_view text, bool upper_case)
{
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const int length = utf8_sequence_length(text);
        if (length == 1) {
            const char c = text[0];
            if (c >= 0x20 && c < 0x7F) {
                out.push_back(upper_case ? upper(c) : c);
            }
        } else if (length == 2 && static_cast<unsigned char>(text[0]) == 0xC3U) {
            const std::string_view folded = k_latin1_ascii[static_cast<unsigned char>(text[1]) - 0x80U];
            for (const char c : folded) {
                const bool lower = !upper_case && (static_cast<unsigned char>(text[1]) >= 0xA0U);
                out.push_back(lower ? static_cast<char>(c - 'A' + 'a') : c);
            }
        }
        text.remove_prefix(length > 0 ? static_cast<std::size_t>(length) : 1U);
    }
    return out;
}

std::string clip(std::string_view text, std::size_t max)
{
    return std::string(trim(trim(text).substr(0, max)));
}

void append_tlv(std::string& out, std::string_view id, std::string_view value)
{
    value = value.substr(0, k_tlv_max);
    out += id;
    out.push_back(static_cast<char>('0' + value.size() / 10));
    out.push_back(static_cast<char>('0' + value.size() % 10));
    out += value;
}

}  // namespace

std::string crc16_ccitt(std::string_view data)
{
    std::uint16_t crc = 0xFFFF;
    for (const char c : data) {
        crc = static_cast<std::uint16_t>(crc ^ (static_cast<unsigned char>(c) << 8));
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 0x8000U) != 0 ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021U)
                                       : static_cast<std::uint16_t>(crc << 1);
        }
    }
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out(4, '0');
    for (int i = 3; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = k_hex[crc & 0xFU];
        crc = static_cast<std::uint16_t>(crc >> 4);
    }
    return out;
}

std::string pix_payload(const PixCharge& charge)
{
    const bool has_amount = charge.amount.has_value() && *charge.amount > 0;

    std::string account;
    append_tlv(account, "00", "br.gov.bcb.pix");
    append_tlv(account, "01", clip(to_ascii(charge.key, false), k_key_max));

    std::string txid = clip(to_ascii(charge.txid, false), k_txid_max);
    if (txid.empty()) {
        txid = "***";
    }
    std::string additional;
    append_tlv(additional, "05", txid);

    std::string out;
    out.reserve(200);
    append_tlv(out, "00", "01");
    append_tlv(out, "01", has_amount ? "12" : "11");  // 12: one charge, 11: reusable
    append_tlv(out, "26", account);
    append_tlv(out, "52", "0000");
    append_tlv(out, "53", "986");
    if (has_amount) {
        append_tlv(out, "54", format_money(*charge.amount));  // "100.00"
    }
    append_tlv(out, "58", "BR");
    append_tlv(out, "59", clip(to_ascii(charge.merchant_name, true), k_name_max));
    append_tlv(out, "60", clip(to_ascii(charge.merchant_city, true), k_city_max));
    append_tlv(out, "62", additional);
    out += "6304";
    out += crc16_ccitt(out);
    return out;
}

}  // namespace billrun::boleto
