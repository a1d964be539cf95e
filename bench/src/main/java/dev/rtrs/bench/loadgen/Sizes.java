package dev.rtrs.bench.loadgen;

import java.util.Locale;

/** Byte counts as fio writes them: {@code 4k}, {@code 1m}, {@code 256M} (powers of 1024). */
public final class Sizes {

    private Sizes() {}

    public static long parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ib") || t.endsWith("b")) {
            t = t.substring(0, t.length() - (t.endsWith("ib") ? 2 : 1));
        }
        int shift = 0;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> shift = 10;
                case 'm' -> shift = 20;
                case 'g' -> shift = 30;
                case 't' -> shift = 40;
                default -> shift = 0;
            }
        }
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        try {
            long value = Long.parseLong(digits);
            if (value < 0 || value > (Long.MAX_VALUE >> shift)) {
                throw new IllegalArgumentException("size out of range: " + text);
            }
            return value << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: '" + text + "' (e.g. 4k, 1m, 256M)", e);
        }
    }

    public static int parseInt(String text) {
        long v = parse(text);
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("size too large: " + text);
        }
        return (int) v;
    }

    /** The shortest of {@code 512}, {@code 4k}, {@code 1m}, {@code 2g} that is exact. */
    public static String format(long bytes) {
        String[] units = {"", "k", "m", "g", "t"};
        int u = 0;
        long v = bytes;
        while (u < units.length - 1 && v >= 1024 && v % 1024 == 0) {
            v /= 1024;
            u++;
        }
        return v + units[u];
    }
}
