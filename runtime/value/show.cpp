// show: renders any immutable value in source syntax (docs/language.md section 3).
#include "runtime/value/show.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "runtime/value/string.h"
#include "runtime/value/value.h"
#include "runtime/value/value_internal.h"

namespace atl::value {
namespace {

// Renders values into one growing buffer. `Atomic` positions (constructor
// arguments) parenthesise anything that is itself an application or starts
// with a minus sign, so the output reads back as the same value.
class Shower {
 public:
  std::string out;

  void Show(atl_value v, bool atomic) {
    if (atl_is_int(v)) return ShowInt(atl_int_get(v), atomic);
    if (atl_is_char(v)) return ShowChar(atl_char_get(v));
    if (atl_is_nullary(v)) return ShowNullary(atl_nullary_desc(v));
    if (!atl_is_ptr(v)) Fail("show: malformed value 0x%llx", static_cast<unsigned long long>(v));
    const atl_object* obj = atl_ptr(v);
    const atl_header h = obj->header;
    switch (static_cast<atl_kind>(atl_header_kind(h))) {
      case ATL_KIND_CON:
        return ShowCon(obj, atomic);
      case ATL_KIND_STRING: {
        const auto* s = reinterpret_cast<const atl_string*>(obj);
        return ShowString(s->bytes, atl_header_size(h));
      }
      case ATL_KIND_ARRAY:
        return ShowArray(obj, atomic);
      case ATL_KIND_FLOAT:
        return ShowFloat(reinterpret_cast<const atl_float*>(obj)->value, atomic);
      case ATL_KIND_CLOSURE:
        out += "<function>";
        return;
      case ATL_KIND_REF:
        out += "<Ref>";
        return;
      case ATL_KIND_MUTARRAY:
        out += "<MutableArray>";
        return;
      case ATL_KIND_MVAR:
        out += "<MVar>";
        return;
      case ATL_KIND_BYTES:
        return ShowBytes(reinterpret_cast<const atl_bytes*>(obj)->bytes, atl_header_size(h));
      case ATL_KIND_HANDLE:
        out += "<FileHandle>";
        return;
      case ATL_KIND_PROMISE:
        out += "<Promise>";
        return;
    }
    Fail("show: object with unknown kind %u", atl_header_kind(h));
  }

 private:
  void ShowInt(int64_t n, bool atomic) {
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof buf, n);
    const bool paren = atomic && n < 0;
    if (paren) out += '(';
    out.append(buf, res.ptr);
    if (paren) out += ')';
  }

  void ShowFloat(double d, bool atomic) {
    // NaN has one spelling whatever its sign bit (which 0.0 /. 0.0 sets at
    // run time but not when LLVM folds it); infinities are spelt out.
    if (std::isnan(d)) {
      out += "NaN";
      return;
    }
    std::string text;
    if (std::isinf(d)) {
      text = d < 0 ? "-Infinity" : "Infinity";
    } else {
      char buf[40];
      auto res = std::to_chars(buf, buf + sizeof buf, d);
      text.assign(buf, res.ptr);
    }
    // Keep it a Float literal: 2 -> 2.0, 1e+20 -> 1.0e20, 1e-07 -> 1.0e-7.
    if (text.find_first_of(".eI") == std::string::npos) text += ".0";
    if (auto e = text.find('e'); e != std::string::npos) {
      std::string mant = text.substr(0, e);
      std::string exp = text.substr(e + 1);
      if (mant.find('.') == std::string::npos) mant += ".0";
      bool neg = false;
      if (!exp.empty() && (exp[0] == '+' || exp[0] == '-')) {
        neg = exp[0] == '-';
        exp.erase(0, 1);
      }
      while (exp.size() > 1 && exp[0] == '0') exp.erase(0, 1);
      text = mant + "e" + (neg ? "-" : "") + exp;
    }
    const bool paren = atomic && text[0] == '-';
    if (paren) out += '(';
    out += text;
    if (paren) out += ')';
  }

  void ShowChar(uint32_t cp) {
    out += '\'';
    if (cp == '\'') {
      out += "\\'";
    } else {
      EscapeCodePoint(cp, '\'');
    }
    out += '\'';
  }

  void ShowString(const char* bytes, size_t len) {
    out += '"';
    for (size_t i = 0; i < len; ++i) {
      const auto c = static_cast<unsigned char>(bytes[i]);
      if (c == '"') {
        out += "\\\"";
      } else if (c < 0x80) {
        EscapeCodePoint(c, '"');
      } else {
        out += static_cast<char>(c);  // UTF-8 continuation and lead bytes pass through
      }
    }
    out += '"';
  }

  // Bytes have no literal syntax; they are shown as b"..." (docs/language.md):
  // printable ASCII as itself, \" \\ \n \r \t, and every other byte \xHH.
  void ShowBytes(const unsigned char* bytes, size_t len) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += "b\"";
    for (size_t i = 0; i < len; ++i) {
      const unsigned char c = bytes[i];
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
          } else {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
          }
      }
    }
    out += '"';
  }

  // Appends cp (as UTF-8), escaping backslash, control characters and DEL.
  void EscapeCodePoint(uint32_t cp, char quote) {
    switch (cp) {
      case '\\':
        out += "\\\\";
        return;
      case '\n':
        out += "\\n";
        return;
      case '\t':
        out += "\\t";
        return;
      default:
        break;
    }
    if (cp < 0x20 || cp == 0x7F) {
      char buf[16];
      auto res = std::to_chars(buf, buf + sizeof buf, cp, 16);
      out += "\\u{";
      out.append(buf, res.ptr);
      out += '}';
      return;
    }
    AppendUtf8(cp);
  }

  void AppendUtf8(uint32_t cp) {
    char bytes[4];
    out.append(bytes, atl_utf8_encode(cp, bytes));
  }

  void ShowNullary(uint32_t id) {
    const atl_descriptor* d = Descriptor(id);
    if (d == nullptr) Fail("show: unknown constructor descriptor %u", id);
    switch (static_cast<atl_desc_shape>(d->shape)) {
      case ATL_SHAPE_TUPLE:
        out += "()";
        return;
      case ATL_SHAPE_RECORD:
        out += "{}";
        return;
      case ATL_SHAPE_LIST_NIL:
      case ATL_SHAPE_LIST_CONS:
        out += "[]";
        return;
      case ATL_SHAPE_CONSTRUCTOR:
        out += d->name != nullptr ? d->name : "?";
        return;
    }
    Fail("show: descriptor %u has unknown shape %u", id, d->shape);
  }

  void ShowCon(const atl_object* obj, bool atomic) {
    const uint32_t id = atl_header_desc(obj->header);
    const uint32_t n = atl_header_size(obj->header);
    const atl_descriptor* d = Descriptor(id);
    if (d == nullptr) Fail("show: unknown constructor descriptor %u", id);
    switch (static_cast<atl_desc_shape>(d->shape)) {
      case ATL_SHAPE_TUPLE:
        out += '(';
        for (uint32_t i = 0; i < n; ++i) {
          if (i > 0) out += ", ";
          Show(obj->fields[i], false);
        }
        out += ')';
        return;
      case ATL_SHAPE_RECORD:
        if (n == 0) {
          out += "{}";
          return;
        }
        out += "{ ";
        for (uint32_t i = 0; i < n; ++i) {
          if (i > 0) out += ", ";
          out += d->field_names != nullptr && i < d->arity ? d->field_names[i] : "?";
          out += " = ";
          if (atl_desc_raw_field(d, i)) {
            ShowFloat(atl_raw_double(obj->fields[i]), false);
          } else {
            Show(obj->fields[i], false);
          }
        }
        out += " }";
        return;
      case ATL_SHAPE_LIST_CONS:
        return ShowList(obj);
      case ATL_SHAPE_LIST_NIL:
        out += "[]";
        return;
      case ATL_SHAPE_CONSTRUCTOR: {
        const bool paren = atomic && n > 0;
        if (paren) out += '(';
        out += d->name != nullptr ? d->name : "?";
        for (uint32_t i = 0; i < n; ++i) {
          out += ' ';
          Show(obj->fields[i], true);
        }
        if (paren) out += ')';
        return;
      }
    }
    Fail("show: descriptor %u has unknown shape %u", id, d->shape);
  }

  // Walks the spine iteratively so long lists cannot overflow the stack.
  void ShowList(const atl_object* cell) {
    out += '[';
    bool first = true;
    for (;;) {
      if (!first) out += ", ";
      first = false;
      Show(cell->fields[0], false);
      const atl_value tail = cell->fields[1];
      if (!atl_is_ptr(tail) || atl_header_kind(atl_ptr(tail)->header) != ATL_KIND_CON) break;
      const atl_descriptor* d = Descriptor(atl_header_desc(atl_ptr(tail)->header));
      if (d == nullptr || d->shape != ATL_SHAPE_LIST_CONS) break;
      cell = atl_ptr(tail);
    }
    out += ']';
  }

  void ShowArray(const atl_object* obj, bool atomic) {
    const uint32_t n = atl_header_size(obj->header);
    if (atomic) out += '(';
    out += "arrayFromList [";
    for (uint32_t i = 0; i < n; ++i) {
      if (i > 0) out += ", ";
      Show(obj->fields[i], false);
    }
    out += ']';
    if (atomic) out += ')';
  }
};

}  // namespace

std::string ShowToString(atl_value v) {
  Shower s;
  s.Show(v, false);
  return std::move(s.out);
}

}  // namespace atl::value

extern "C" atl_value atl_show(atl_value v) {
  const std::string text = atl::value::ShowToString(v);
  return atl_string_new(text.data(), text.size());
}
