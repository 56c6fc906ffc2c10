package io.tickscan.rules;

/** What a symbol may be: 1 to 32 characters of {@code A-Z a-z 0-9 . _ - / :}. */
public final class Symbols {
    /** Longest symbol accepted. */
    public static final int MAX_LENGTH = 32;

    private Symbols() {
    }

    /** True when {@code s} is a valid symbol. */
    public static boolean isValid(CharSequence s) {
        int n = s.length();
        if (n < 1 || n > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (!isSymbolChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code c} may appear in a symbol. */
    public static boolean isSymbolChar(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-' || c == '/' || c == ':';
    }
}
