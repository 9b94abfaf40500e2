package dev.vfiosim.simulator;

import java.util.Locale;

/**
 * A byte count as people write it on a command line or in an annotation: digits with an optional
 * k, m or g (binary units). One parser for the CLI's options and the JUnit extension's attributes,
 * so that "64m" means the same everywhere.
 */
public final class SizeText {
    private SizeText() {
    }

    /** The size in bytes; {@link IllegalArgumentException} with a message fit for a user otherwise. */
    public static long parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.isEmpty()) {
            throw new IllegalArgumentException("a size is needed (a number with k, m or g)");
        }
        long unit = switch (v.charAt(v.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        String digits = unit == 1 ? v : v.substring(0, v.length() - 1);
        if (digits.startsWith("-")) {
            throw new IllegalArgumentException("'" + value + "' is negative");
        }
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("'" + value + "' is not a size (a number with k, m or g)");
        }
        try {
            return Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + value + "' is too large");
        }
    }
}
