package io.tlwb.pretrained;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads the data literal inside a minified JavaScript module into a Jackson tree, without running any JavaScript.
 *
 * <p>Accepts JSON plus what minifiers emit for data: unquoted keys, {@code !0}/{@code !1} for true/false,
 * {@code void 0} for undefined (read as null), numbers like {@code .5} and {@code 1e-3}, single-quoted strings.
 * Integral literals stay integral ({@code 6} stays an int), so callers can see what the file really said.
 */
final class JsLiteral {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String src;
    private int pos;

    private JsLiteral(String src, int start) {
        this.src = src;
        this.pos = start;
    }

    /** The literal starting at {@code start}; {@code end[0]} receives the index just after it. */
    static JsonNode parse(String src, int start, int[] end) {
        JsLiteral p = new JsLiteral(src, start);
        JsonNode node = p.value();
        if (end != null && end.length > 0) {
            end[0] = p.pos;
        }
        return node;
    }

    static JsonNode parse(String src) {
        JsLiteral p = new JsLiteral(src, 0);
        JsonNode node = p.value();
        p.skipSpace();
        if (p.pos != src.length()) {
            throw p.error("unexpected text after the literal");
        }
        return node;
    }

    private JsonNode value() {
        skipSpace();
        if (pos >= src.length()) {
            throw error("unexpected end of text");
        }
        char c = src.charAt(pos);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
            case '\'':
                return NODES.textNode(string());
            case '!':
                pos++;
                skipSpace();
                if (src.startsWith("0", pos)) {
                    pos++;
                    return NODES.booleanNode(true);
                }
                if (src.startsWith("1", pos)) {
                    pos++;
                    return NODES.booleanNode(false);
                }
                throw error("only !0 and !1 are supported after '!'");
            default:
                break;
        }
        if (c == '-' || c == '+' || c == '.' || Character.isDigit(c)) {
            return number();
        }
        String word = identifier();
        switch (word) {
            case "true":
                return NODES.booleanNode(true);
            case "false":
                return NODES.booleanNode(false);
            case "null":
                return NODES.nullNode();
            case "void":
                skipSpace();
                number();
                return NODES.nullNode();
            case "NaN":
                return NODES.numberNode(Double.NaN);
            case "Infinity":
                return NODES.numberNode(Double.POSITIVE_INFINITY);
            default:
                throw error("unsupported expression '" + word + "' (only data literals are read)");
        }
    }

    private ObjectNode object() {
        ObjectNode obj = NODES.objectNode();
        pos++;
        skipSpace();
        if (peek() == '}') {
            pos++;
            return obj;
        }
        while (true) {
            skipSpace();
            char c = peek();
            String key;
            if (c == '"' || c == '\'') {
                key = string();
            } else if (Character.isDigit(c)) {
                key = number().asText();
            } else {
                key = identifier();
            }
            skipSpace();
            expect(':');
            obj.set(key, value());
            skipSpace();
            char next = peek();
            pos++;
            if (next == '}') {
                return obj;
            }
            if (next != ',') {
                pos--;
                throw error("expected ',' or '}'");
            }
            skipSpace();
            if (peek() == '}') { // trailing comma
                pos++;
                return obj;
            }
        }
    }

    private ArrayNode array() {
        ArrayNode arr = NODES.arrayNode();
        pos++;
        skipSpace();
        if (peek() == ']') {
            pos++;
            return arr;
        }
        while (true) {
            arr.add(value());
            skipSpace();
            char next = peek();
            pos++;
            if (next == ']') {
                return arr;
            }
            if (next != ',') {
                pos--;
                throw error("expected ',' or ']'");
            }
            skipSpace();
            if (peek() == ']') {
                pos++;
                return arr;
            }
        }
    }

    private String string() {
        char quote = src.charAt(pos++);
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= src.length()) {
                throw error("unterminated string");
            }
            char c = src.charAt(pos++);
            if (c == quote) {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = src.charAt(pos++);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'v' -> sb.append('\u000B');
                case '0' -> sb.append('\0');
                case 'u' -> {
                    sb.append((char) Integer.parseInt(src.substring(pos, pos + 4), 16));
                    pos += 4;
                }
                case 'x' -> {
                    sb.append((char) Integer.parseInt(src.substring(pos, pos + 2), 16));
                    pos += 2;
                }
                default -> sb.append(e);
            }
        }
    }

    private JsonNode number() {
        int start = pos;
        if (peek() == '-' || peek() == '+') {
            pos++;
        }
        boolean integral = true;
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (Character.isDigit(c)) {
                pos++;
            } else if (c == '.' || c == 'e' || c == 'E') {
                integral = false;
                pos++;
                if ((c == 'e' || c == 'E') && pos < src.length() && (src.charAt(pos) == '-' || src.charAt(pos) == '+')) {
                    pos++;
                }
            } else {
                break;
            }
        }
        String text = src.substring(start, pos);
        if (text.equals("-") || text.equals("+") || text.isEmpty()) {
            throw error("malformed number");
        }
        try {
            if (integral) {
                long v = Long.parseLong(text.startsWith("+") ? text.substring(1) : text);
                return v == (int) v ? NODES.numberNode((int) v) : NODES.numberNode(v);
            }
            return NODES.numberNode(Double.parseDouble(text));
        } catch (NumberFormatException ex) {
            throw error("malformed number '" + text + "'");
        }
    }

    private String identifier() {
        int start = pos;
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
                pos++;
            } else {
                break;
            }
        }
        if (start == pos) {
            throw error("unexpected character '" + src.charAt(pos) + "'");
        }
        return src.substring(start, pos);
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private char peek() {
        if (pos >= src.length()) {
            throw error("unexpected end of text");
        }
        return src.charAt(pos);
    }

    private void skipSpace() {
        while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException error(String what) {
        int from = Math.max(0, pos - 30);
        int to = Math.min(src.length(), pos + 30);
        return new IllegalArgumentException(what + " at offset " + pos + " near '" + src.substring(from, to) + "'");
    }
}
