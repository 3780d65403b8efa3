// Where each bank puts the retorno fields. Positions from the banks' manuals as the anchors
// read them (brcobranca lib/brcobranca/retorno/, laravel-boleto src/Cnab/Retorno/), checked
// against every fixture in ../shared/reference/boleto/fixtures (FACTS.md §2.6). A new bank
// is one more row.
#include "retorno_fields.hpp"

#include <array>

namespace billrun::cnab::detail {

namespace {

// FEBRABAN C044 (movimento de retorno): 02 entrada confirmada, 03 entrada rejeitada,
// 06 liquidação, 09 baixa, 17 liquidação após baixa or of an unregistered title.
constexpr OccurrenceCodes k_febraban_codes{"02", "03", "06 17", "09"};

// FEBRABAN segment T: nosso número 38-57, seu número 59-73, vencimento 74-81, valor 82-96,
// tarifa 199-213, motivos 214-223; header: kind of inscription 18, number 19-32.
constexpr Bank240 febraban(std::string_view code, std::string_view name, NossoForm form = NossoForm::trimmed)
{
    return Bank240{code,       name,       18,         {19, 32},   {38, 57},          form,
                   {59, 73},   {74, 81},   {82, 96},   {199, 213}, {214, 223},        k_febraban_codes};
}

constexpr std::array k_banks_240{
    febraban("001", "Banco do Brasil"),
    // Santander's T is shifted: conta 23-32, nosso número 41-53 (12 + DV), carteira 54, seu
    // número 55-69, vencimento 70-77, valor 78-92, tarifa 194-208, motivos 209-218
    // (brcobranca retorno/cnab240/santander.rb; its motivos range 208..117 is inverted).
    // Header: kind 17, number 18-32 (15).
    Bank240{"033",      "Santander", 17,         {18, 32},   {41, 53},   NossoForm::trimmed,
            {55, 69},   {70, 77},    {78, 92},   {194, 208}, {209, 218}, k_febraban_codes},
    // Caixa: 40-56 nosso número (17), 57 its DV; 38-39 blank.
    febraban("104", "Caixa Econômica Federal"),
    febraban("237", "Bradesco"),
    // Sicoob packs numTitulo(10, with DV) + parcela(2) + modalidade(2) + tipo formulário(1)
    // into 38-57; the nosso número is the first 10 (brcobranca #102).
    febraban("756", "Sicoob", NossoForm::first_10),
    // FEBRABAN-generic banks that the fixtures show.
    febraban("085", "Ailos"),
    febraban("208", "BTG Pactual"),
    febraban("748", "Sicredi"),
};

// The usual CNAB 400 detail: ocorrência 109-110, data 111-116, nº documento 117-126,
// vencimento 147-152, valor 153-165, tarifa 176-188, desconto 241-253, valor pago 254-266,
// juros de mora 267-279, data de crédito 296-301.
constexpr std::array k_banks_400{
    // CBR643 (convênio 7, detail type 7; brcobranca retorno_cbr643.rb) and CBR641 (convênio
    // 6, type 1: nosso número 63-73 + DV 74). Natureza do recebimento / motivo 87-88, data
    // de crédito 176-181, tarifa 182-188. Liquidations: 05 sem registro, 06, 07 por conta,
    // 08 por saldo, 15 em cartório.
    Bank400{"001", "Banco do Brasil", {101, 107}, {63, 74}, {64, 80}, {117, 126}, {109, 110}, {111, 116},
            {147, 152}, {153, 165}, {182, 188}, {254, 266}, {267, 279}, {0, 0}, {241, 253}, {176, 181},
            {87, 88}, 2, OccurrenceCodes{"02", "03", "05 06 07 08 15", "09 10"}},
    // Nosso número 63-70 (7 + DV); rejections as three 3-digit codes at 137-145. Type 2
    // records (PIX: chave, txid) follow their title and are not titles.
    Bank400{"033", "Santander", {0, 0}, {63, 70}, {0, 0}, {117, 126}, {109, 110}, {111, 116}, {147, 152},
            {153, 165}, {176, 188}, {254, 266}, {267, 279}, {0, 0}, {241, 253}, {296, 301}, {137, 145}, 3,
            OccurrenceCodes{"02", "03", "06 07 08 17", "09 10"}},
    // SIGCB: nosso número 57-73 (17), rejection code 80-82, data de crédito 294-299, multa
    // 280-292. Caixa's own codes: 01 entrada, 02 baixa, 21 liquidação, 22 em cartório,
    // 23-25 baixas, 99 rejeição (laravel-boleto Cnab400/Banco/Caixa.php).
    Bank400{"104", "Caixa Econômica Federal", {0, 0}, {57, 73}, {0, 0}, {117, 126}, {109, 110}, {111, 116},
            {147, 152}, {153, 165}, {176, 188}, {254, 266}, {267, 279}, {280, 292}, {241, 253}, {294, 299},
            {80, 82}, 3, OccurrenceCodes{"01", "99", "21 22", "02 23 24 25"}},
    // Nosso número 71-82 (11 + DV, which may be P); aviso bancário 109-113 in the header;
    // motivos 319-328. Liquidations: 06, 15 em cartório, 17 após baixa.
    Bank400{"237", "Bradesco", {109, 113}, {71, 82}, {0, 0}, {117, 126}, {109, 110}, {111, 116}, {147, 152},
            {153, 165}, {176, 188}, {254, 266}, {267, 279}, {0, 0}, {241, 253}, {296, 301}, {319, 328}, 2,
            OccurrenceCodes{"02", "03", "06 15 17", "09 10"}},
    // Carteira 83-85, nosso número 86-93 + DAC 94 (63-70 repeats it without the DAC);
    // motivos 378-385. Liquidations: 06, 07 parcial, 08 em cartório.
    Bank400{"341", "Itaú", {109, 113}, {86, 94}, {0, 0}, {117, 126}, {109, 110}, {111, 116}, {147, 152},
            {153, 165}, {176, 188}, {254, 266}, {267, 279}, {0, 0}, {241, 253}, {296, 301}, {378, 385}, 2,
            OccurrenceCodes{"02", "03", "06 07 08", "09 10"}},
};

}  // namespace

const Bank240* find_bank_240(std::string_view code)
{
    for (const Bank240& bank : k_banks_240) {
        if (bank.code == code) {
            return &bank;
        }
    }
    return nullptr;
}

const Bank400* find_bank_400(std::string_view code)
{
    for (const Bank400& bank : k_banks_400) {
        if (bank.code == code) {
            return &bank;
        }
    }
    return nullptr;
}

}  // namespace billrun::cnab::detail
