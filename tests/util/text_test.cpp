// What a log line and a worker name may contain: strict UTF-8, and a printable, capped form.
#include "util/text.h"

#include <gtest/gtest.h>

namespace pool::util {
namespace {

TEST(ValidUtf8, AcceptsAsciiAndMultibyteText) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("bc1qxyz.rig-01"));
  EXPECT_TRUE(valid_utf8("\xe6\x8e\x98\xe5\x89\x8a\xe6\xa9\x9f"));  // 採掘機
  EXPECT_TRUE(valid_utf8("\xf0\x9f\x98\x80"));                      // U+1F600
}

TEST(ValidUtf8, RejectsMalformedSequences) {
  EXPECT_FALSE(valid_utf8("rig\xff"));              // never valid
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));             // overlong '/'
  EXPECT_FALSE(valid_utf8("\xe0\x80\xaf"));         // overlong, three bytes
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));         // surrogate U+D800
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));     // above U+10FFFF
  EXPECT_FALSE(valid_utf8("\xe6\x8e"));             // cut short
  EXPECT_FALSE(valid_utf8("\x80"));                 // lone continuation byte
}

TEST(Printable, EscapesControlCharactersSoALineStaysOneLine) {
  EXPECT_EQ(printable("cgminer/4.10\n2026-01-01 fake log line"), "cgminer/4.10\\n2026-01-01 fake log line");
  EXPECT_EQ(printable(std::string("a\0b\x1b[31m\x7f", 9)), "a\\x00b\\x1b[31m\\x7f");
  EXPECT_EQ(printable("tab\there\r"), "tab\\there\\r");
  EXPECT_EQ(printable("back\\slash"), "back\\\\slash");
}

TEST(Printable, KeepsUtf8AndEscapesInvalidBytes) {
  EXPECT_EQ(printable("\xe6\x8e\x98 rig\xff"), "\xe6\x8e\x98 rig\\xff");
}

TEST(Printable, CapsTheLength) {
  const std::string out = printable(std::string(10000, 'A'), 32);
  EXPECT_EQ(out, std::string(32, 'A') + "...");
  EXPECT_EQ(printable("short", 32), "short");
}

}  // namespace
}  // namespace pool::util
