#pragma once
// PIX "copia e cola" (EMV QR Code, BR Code) for the boleto híbrido: TLV fields and CRC16.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <billrun/core/money.hpp>

namespace billrun::boleto {

struct PixCharge {
    std::string key;          // the PIX key (e-mail, phone, CPF/CNPJ, random key)
    std::optional<Centavos> amount;
    std::string merchant_name;  // upper case, no accents, at most 25 characters (trimmed)
    std::string merchant_city;  // at most 15 characters
    std::string txid;           // at most 25 alphanumeric characters ("***" when none)
};

// CRC16/CCITT-FALSE (poly 0x1021, init 0xFFFF) as 4 upper-case hex digits.
std::string crc16_ccitt(std::string_view data);
// The payload, ending in 6304 + CRC.
std::string pix_payload(const PixCharge& charge);

}  // namespace billrun::boleto
