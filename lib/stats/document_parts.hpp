// The stats document (render_json: the --stats-json file) carried through DPDK telemetry, whose
// replies are capped at 16 KiB and whose strings at 127 bytes: the text is base64-encoded (no
// escaping, no UTF-8 sequence cut in two) and cut into parts of at most kPiecesPerPart strings
// of kPieceChars, each part one reply (~12 KiB). pktsieve-ctl fetches every part of one
// generation and decodes them back into the very text --stats-json writes.
// Thread-safety: DocumentParts is immutable after construction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pktsieve {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not base64 (its length or an alphabet character).
std::optional<std::string> base64_decode(std::string_view text);

class DocumentParts {
  public:
    static constexpr size_t kPieceChars = 120;  // < RTE_TEL_MAX_STRING_LEN, a multiple of 4
    static constexpr size_t kPiecesPerPart = 96;

    DocumentParts(uint64_t generation, std::string_view document);
    uint64_t generation() const { return generation_; }
    size_t parts() const { return parts_; }
    size_t document_bytes() const { return bytes_; }
    // The base64 pieces of part `i` (< parts()).
    std::vector<std::string_view> part(size_t i) const;

  private:
    uint64_t generation_;
    size_t bytes_;
    std::string encoded_;
    size_t parts_;
};

}  // namespace pktsieve
