// Unit tests for text.h: decoding report files (UTF-8 with and without BOM, UTF-16 with BOM,
// GB18030), refusing invalid or binary input with a message that names the file and the byte, and
// the whitespace predicates behind "chars, whitespace excluded".
#include <gtest/gtest.h>
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <unicode/ucnv.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "support/variants.h"

namespace leitong::testing {
namespace {

// Runs `f`, expects it to throw leitong::Error, and returns the message ("" if it did not throw).
template <typename F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected leitong::Error";
  return "";
}

std::string bytes(std::initializer_list<unsigned> list) {
  std::string out;
  for (unsigned b : list) out.push_back(static_cast<char>(b));
  return out;
}

// UTF-16 code units of `text` as bytes, little or big endian.
std::string utf16_bytes(std::u16string_view text, bool little_endian) {
  std::string out;
  for (char16_t u : text) {
    const char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
    if (little_endian) {
      out.push_back(lo), out.push_back(hi);
    } else {
      out.push_back(hi), out.push_back(lo);
    }
  }
  return out;
}

// `text` encoded as GB18030 by ICU (independently of the library's decoder).
std::string to_gb18030(std::u16string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  UConverter* conv = ucnv_open("gb18030", &status);
  EXPECT_TRUE(U_SUCCESS(status)) << u_errorName(status);
  std::string out(text.size() * 4 + 4, '\0');
  const int32_t len = ucnv_fromUChars(conv, out.data(), static_cast<int32_t>(out.size()),
                                      reinterpret_cast<const UChar*>(text.data()),
                                      static_cast<int32_t>(text.size()), &status);
  EXPECT_TRUE(U_SUCCESS(status)) << u_errorName(status);
  ucnv_close(conv);
  out.resize(static_cast<std::size_t>(len));
  return out;
}

TEST(Text, EncodingNames) {
  EXPECT_EQ(encoding_name(Encoding::kUtf8), "utf-8");
  EXPECT_EQ(encoding_name(Encoding::kUtf8Bom), "utf-8-bom");
  EXPECT_EQ(encoding_name(Encoding::kUtf16Le), "utf-16le");
  EXPECT_EQ(encoding_name(Encoding::kUtf16Be), "utf-16be");
  EXPECT_EQ(encoding_name(Encoding::kGb18030), "gb18030");
}

TEST(Text, DecodesPlainUtf8) {
  const DecodedText d = decode_text("2023年工作总结\n一、主要成绩", "a.txt");
  EXPECT_EQ(d.encoding, Encoding::kUtf8);
  EXPECT_EQ(d.text, U"2023年工作总结\n一、主要成绩");
}

TEST(Text, EmptyFileIsEmptyUtf8Text) {
  const DecodedText d = decode_text("", "empty.txt");
  EXPECT_EQ(d.encoding, Encoding::kUtf8);
  EXPECT_TRUE(d.text.empty());
}

TEST(Text, Utf8BomIsDetectedAndExcludedFromText) {
  const DecodedText d = decode_text("\xEF\xBB\xBF中文abc", "bom.txt");
  EXPECT_EQ(d.encoding, Encoding::kUtf8Bom);
  EXPECT_EQ(d.text, U"中文abc");  // offsets count from the first character after the BOM
  EXPECT_EQ(d.text.size(), 5u);

  const DecodedText only_bom = decode_text("\xEF\xBB\xBF", "bom.txt");
  EXPECT_EQ(only_bom.encoding, Encoding::kUtf8Bom);
  EXPECT_TRUE(only_bom.text.empty());
}

TEST(Text, Utf16LittleEndianWithBom) {
  // U+20BB7 (𠮷) is outside the BMP: a surrogate pair D842 DFB7.
  const std::u16string units = u"中文A\U00020BB7。";
  ASSERT_EQ(units.size(), 6u);
  const DecodedText d = decode_text("\xFF\xFE" + utf16_bytes(units, true), "le.txt");
  EXPECT_EQ(d.encoding, Encoding::kUtf16Le);
  EXPECT_EQ(d.text, U"中文A\U00020BB7。");
  EXPECT_EQ(d.text.size(), 5u);
}

TEST(Text, Utf16BigEndianWithBom) {
  const std::string raw = bytes({0xFE, 0xFF, 0x4E, 0x2D, 0xD8, 0x42, 0xDF, 0xB7, 0x00, 0x41});
  const DecodedText d = decode_text(raw, "be.txt");
  EXPECT_EQ(d.encoding, Encoding::kUtf16Be);
  EXPECT_EQ(d.text, U"中\U00020BB7A");
}

TEST(Text, Utf16BadSurrogatesAndOddLengthAreRefused) {
  // Lone high surrogate followed by a BMP unit.
  const std::string lone_high =
      "\xFF\xFE" + utf16_bytes(u"a", true) + bytes({0x42, 0xD8, 0x41, 0x00});
  std::string msg = error_message([&] { decode_text(lone_high, "x16.txt"); });
  EXPECT_NE(msg.find("x16.txt"), std::string::npos) << msg;
  EXPECT_NE(msg.find("surrogate"), std::string::npos) << msg;
  // Lone low surrogate.
  msg = error_message([&] { decode_text(bytes({0xFE, 0xFF, 0xDC, 0x00}), "y16.txt"); });
  EXPECT_NE(msg.find("y16.txt"), std::string::npos) << msg;
  // High surrogate at the very end.
  msg = error_message([&] { decode_text(bytes({0xFF, 0xFE, 0x41, 0x00, 0x3D, 0xD8}), "z16.txt"); });
  EXPECT_NE(msg.find("z16.txt"), std::string::npos) << msg;
  // Odd number of bytes after the BOM.
  msg = error_message([&] { decode_text(bytes({0xFF, 0xFE, 0x41, 0x00, 0x42}), "odd.txt"); });
  EXPECT_NE(msg.find("odd.txt"), std::string::npos) << msg;
}

TEST(Text, KnownGb18030BytesDecode) {
  // "中文" in GB18030 (and GBK/GB2312): D6 D0 CE C4 — invalid as UTF-8 at byte 0.
  const std::string zhongwen = bytes({0xD6, 0xD0, 0xCE, 0xC4});
  EXPECT_EQ(find_invalid_utf8(zhongwen), 0u);
  const DecodedText d = decode_text(zhongwen, "gbk.txt");
  EXPECT_EQ(d.encoding, Encoding::kGb18030);
  EXPECT_EQ(d.text, U"中文");

  // ASCII stays ASCII; "年" is C4 EA; a four-byte sequence: U+0080 is 81 30 81 30.
  const std::string mixed = "2023" + bytes({0xC4, 0xEA, 0x81, 0x30, 0x81, 0x30});
  const DecodedText m = decode_text(mixed, "gbk.txt");
  EXPECT_EQ(m.encoding, Encoding::kGb18030);
  EXPECT_EQ(m.text, U"2023年\u0080");
}

TEST(Text, Gb18030FromIcuRoundTrips) {
  // Text typical of a report, including a supplementary-plane ideograph (4-byte GB18030).
  const std::u16string report =
      u"二〇二三年，我局坚持“四个意识”，全年办理政务服务事项１２３件……\r\n下一步：\U00020BB7。";
  const std::string gb = to_gb18030(report);
  ASSERT_FALSE(gb.empty());
  ASSERT_NE(find_invalid_utf8(gb), std::string::npos);
  const DecodedText d = decode_text(gb, "report-gbk.txt");
  EXPECT_EQ(d.encoding, Encoding::kGb18030);
  const std::u32string expected =
      U"二〇二三年，我局坚持“四个意识”，全年办理政务服务事项１２３件……\r\n下一步：\U00020BB7。";
  EXPECT_EQ(d.text, expected);
}

TEST(Text, InvalidUtf8ThatIsNotGb18030NamesFileAndByte) {
  // 0xFF is neither UTF-8 nor GB18030. The ASCII prefix is longer than 8 bytes so the 8-byte
  // fast path of the scanner is crossed.
  const std::string text = "0123456789abcdef\xFFxyz";
  EXPECT_EQ(find_invalid_utf8(text), 16u);
  const std::string msg = error_message([&] { decode_text(text, "reports/bad.txt"); });
  EXPECT_NE(msg.find("reports/bad.txt"), std::string::npos) << msg;
  EXPECT_NE(msg.find("byte 16"), std::string::npos) << msg;

  // Valid UTF-8 "中文" (6 bytes) and then 0xFF: the first invalid UTF-8 byte is 6.
  const std::string after_cjk = "中文\xFF";
  EXPECT_EQ(find_invalid_utf8(after_cjk), 6u);
  const std::string msg2 = error_message([&] { decode_text(after_cjk, "b.txt"); });
  EXPECT_NE(msg2.find("b.txt"), std::string::npos) << msg2;
  EXPECT_NE(msg2.find("byte 6"), std::string::npos) << msg2;
  EXPECT_EQ(msg2.find("byte 60"), std::string::npos) << msg2;

  // A GB18030 lead byte cut off at the end of the file.
  const std::string truncated = "abc\x81";
  const std::string msg3 = error_message([&] { decode_text(truncated, "c.txt"); });
  EXPECT_NE(msg3.find("byte 3"), std::string::npos) << msg3;
}

TEST(Text, DecodeUtf8RefusesOverlongSurrogateAndOutOfRange) {
  struct Case {
    std::string bytes;
    std::size_t bad;
  };
  const Case cases[] = {
      {"ab\xC0\xAF", 2},            // overlong '/'
      {"\xC1\xBF", 0},              // overlong 2-byte
      {"x\xE0\x80\xAF", 1},         // overlong 3-byte
      {"xy\xF0\x80\x80\xAF", 2},    // overlong 4-byte
      {"中\xED\xA0\x80", 3},        // UTF-16 high surrogate D800 encoded in UTF-8
      {"\xED\xBF\xBF", 0},          // low surrogate DFFF
      {"\xF4\x90\x80\x80", 0},      // U+110000, beyond Unicode
      {"\xF8\x88\x80\x80\x80", 0},  // 5-byte form
      {"abc\x80", 3},               // stray continuation byte
      {"abc\xE4\xB8", 3},           // truncated 3-byte sequence at end
      {"abc\xE4\xB8x", 3},          // truncated 3-byte sequence before ASCII
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.bytes));
    EXPECT_EQ(find_invalid_utf8(c.bytes), c.bad);
    const std::string msg = error_message([&] { decode_utf8(c.bytes, "f.txt"); });
    EXPECT_EQ(msg, "f.txt: invalid UTF-8 at byte " + std::to_string(c.bad));
  }
}

// The decoder takes runs of ASCII eight bytes at a time and three-byte sequences on a path of their
// own: each fault of the test above, put after such runs, is found at the same byte. Mixed text with
// random damage: when the validator passes it, decode_utf8 and decode_text give the code points it
// was made of (encoded back to the same bytes); else decode_utf8 refuses it at the validator's byte.
TEST(Text, DecodeUtf8FindsFaultsAfterItsFastPathsAsTheValidatorDoes) {
  const std::string faults[] = {"\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xF0\x80\x80\xAF", "\xED\xA0\x80",
                                "\xED\xBF\xBF", "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80", "\x80",
                                "\xE4\xB8", "\xE4\xB8x"};
  for (const std::string& before : {std::string("0123456789abcdef"), std::string("中华人民共和国宪法"),
                                    std::string("abcdefgh中文ijklmnop")}) {
    for (const std::string& fault : faults) {
      for (const std::string& after : {std::string(), std::string("tail")}) {  // at the very end, and not
        const std::string s = before + fault + after;
        SCOPED_TRACE(::testing::PrintToString(s));
        EXPECT_EQ(find_invalid_utf8(s), before.size());
        EXPECT_EQ(error_message([&] { decode_utf8(s, "f.txt"); }),
                  "f.txt: invalid UTF-8 at byte " + std::to_string(before.size()));
      }
    }
  }
  std::mt19937 rng(11);
  const std::vector<std::string> pieces = {"a", "Zq09 ,.", "\n", "中", "国", "，", "\xC2\xA9", "\xF0\xA0\xAE\xB7",
                                           "abcdefghijklmnopqrstuvwx", "法治政府建设"};
  for (int round = 0; round < 3000; ++round) {
    std::string s;
    const int n = static_cast<int>(rng() % 40);
    for (int k = 0; k < n; ++k) {
      if (rng() % 50 == 0) {
        s.push_back(static_cast<char>(rng() % 256));  // damage, perhaps
        continue;
      }
      s += pieces[rng() % pieces.size()];
    }
    const std::size_t bad = find_invalid_utf8(s);
    SCOPED_TRACE(::testing::PrintToString(s));
    if (bad == std::string::npos) {
      EXPECT_EQ(encode_utf8(decode_utf8(s, "f")), s);
      if (s.find('\0') == std::string::npos) {
        EXPECT_EQ(encode_utf8(decode_text(s, "f").text), s);
      }
    } else {
      EXPECT_EQ(error_message([&] { decode_utf8(s, "f"); }), "f: invalid UTF-8 at byte " + std::to_string(bad));
    }
  }
}

TEST(Text, DecodeUtf8AcceptsBoundaryScalars) {
  const std::string s =
      "\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF"
      "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF";
  EXPECT_EQ(find_invalid_utf8(s), std::string::npos);
  EXPECT_EQ(decode_utf8(s, "f"),
            (std::u32string{0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x10FFFF}));
}

TEST(Text, NulBytesAreRefusedAsBinary) {
  const std::string msg =
      error_message([&] { decode_text(std::string("PK\x03\x04\0\0abc", 9), "x.docx"); });
  EXPECT_NE(msg.find("x.docx"), std::string::npos) << msg;
  EXPECT_NE(msg.find("binary"), std::string::npos) << msg;
  // Even when the rest would be valid UTF-8.
  EXPECT_THROW(decode_text(std::string("中文\0文本", 13), "y.txt"), Error);
}

// Regression: NUL is binary data in every encoding, also after a byte-order mark.
TEST(Text, NulBytesAfterUtf8BomAreRefusedAsBinary) {
  EXPECT_THROW(decode_text(std::string("\xEF\xBB\xBF"
                                       "ab\0cd",
                                       8),
                           "bom-nul.txt"),
               Error);
  EXPECT_THROW(decode_text(bytes({0xFF, 0xFE, 0x41, 0x00, 0x00, 0x00, 0x42, 0x00}), "u16-nul.txt"),
               Error);
}

// Regression: "byte N" is the offset in the file, byte-order mark included.
TEST(Text, InvalidUtf8AfterBomReportsFileByteOffset) {
  const std::string text =
      "\xEF\xBB\xBF"
      "abc\xFF";
  const std::string msg = error_message([&] { decode_text(text, "bom-bad.txt"); });
  EXPECT_NE(msg.find("byte 6"), std::string::npos) << msg;
}

// A UTF-8 report with one damaged byte would be valid GB18030 mojibake: refused instead, naming
// the damaged byte; real GB18030 text is still decoded.
TEST(Text, DamagedUtf8IsRefusedNotReadAsGb18030) {
  std::string text;
  for (int i = 0; i < 10; ++i) text += "法治政府建设年度报告";
  const std::size_t at = text.size();
  text += "\xB0";  // a stray continuation byte
  text += "现将有关情况报告如下";
  const std::string msg = error_message([&] { decode_text(text, "damaged.txt"); });
  EXPECT_NE(msg.find("damaged.txt"), std::string::npos) << msg;
  EXPECT_NE(msg.find("byte " + std::to_string(at)), std::string::npos) << msg;
  const std::string gbk = "\xD6\xD0\xCE\xC4\xB1\xA8\xB8\xE6";  // 中文报告 in GBK
  EXPECT_EQ(decode_text(gbk, "gbk.txt").encoding, Encoding::kGb18030);
}

TEST(Text, EncodeUtf8RoundTripsRandomScalars) {
  Random rng(20240601);
  std::u32string text;
  for (int i = 0; i < 5000; ++i) {
    char32_t c;
    switch (rng.below(4)) {
      case 0:
        c = static_cast<char32_t>(1 + rng.below(0x7F));
        break;
      case 1:
        c = static_cast<char32_t>(0x80 + rng.below(0x800 - 0x80));
        break;
      case 2:
        c = static_cast<char32_t>(0x800 + rng.below(0x10000 - 0x800));
        break;
      default:
        c = static_cast<char32_t>(0x10000 + rng.below(0x110000 - 0x10000));
        break;
    }
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    text.push_back(c);
  }
  const std::string encoded = encode_utf8(text);
  EXPECT_EQ(find_invalid_utf8(encoded), std::string::npos);
  EXPECT_EQ(decode_utf8(encoded, "round"), text);
  EXPECT_EQ(encode_utf8(U"中文A\U00020BB7"), "中文A\U00020BB7");
  EXPECT_EQ(encode_utf8(U"\u00E9"), "\xC3\xA9");
}

TEST(Text, IsWhitespace) {
  for (char32_t c : {U' ', U'\t', U'\n', U'\r', U'\v', U'\f', U'\u3000', U'\u00A0', U'\uFEFF',
                     U'\u200B', U'\u2028', U'\u2029', U'\u2003', U'\u0085', U'\u202F'})
    EXPECT_TRUE(is_whitespace(c)) << std::hex << static_cast<unsigned>(c);
  for (char32_t c : {U'a', U'0', U'中', U'、', U'，', U'。', U'_', U'\0', U'\u200D', U'\U00020BB7'})
    EXPECT_FALSE(is_whitespace(c)) << std::hex << static_cast<unsigned>(c);
}

TEST(Text, CountNonWhitespace) {
  EXPECT_EQ(count_non_whitespace(U""), 0u);
  EXPECT_EQ(count_non_whitespace(U" \n\t\u3000\u00A0\uFEFF"), 0u);
  EXPECT_EQ(count_non_whitespace(U"\u3000\u3000一、工作 总结\r\n2023年\u00A0"), 11u);
}

TEST(Text, EscapeControlsForTheTerminal) {
  EXPECT_EQ(escape_controls("深圳市罗湖区民政局 report.txt"), "深圳市罗湖区民政局 report.txt");
  EXPECT_EQ(escape_controls("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(escape_controls("\x1b]0;x\x07\x7f"), "\\x1B]0;x\\x07\\x7F");
  EXPECT_EQ(escape_controls("\xc2\x9b"), "\\x9B");  // C1 CSI, as UTF-8
  EXPECT_EQ(escape_controls("abc\u202Edef\u2066"),
            "abc\\u{202E}def\\u{2066}");                     // bidi override, isolate
  EXPECT_EQ(escape_controls("ok\xff\xfe"), "ok\\xFF\\xFE");  // not UTF-8
  EXPECT_EQ(escape_controls("line\n\tindented\x1b", U"\n\t"), "line\n\tindented\\x1B");
}

}  // namespace
}  // namespace leitong::testing
