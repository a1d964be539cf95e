package dev.rtrs.block.backend;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.ExportSpec;
import dev.rtrs.errno.Errno;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the parameters of an {@link ExportSpec} that backends share. A malformed value fails with a
 * {@link BlockException} ({@code EINVAL}) naming the export, the parameter and what was expected.
 */
public final class ExportParameters {

    /** Bytes per logical block: 512, 1024, 2048 or 4096. */
    public static final String LOGICAL_BLOCK_SIZE = "logical_block_size";

    public static final int DEFAULT_LOGICAL_BLOCK_SIZE = 512;

    private static final String SIZE_SYNTAX = "bytes, with an optional K, M, G or T suffix (powers of 1024)";

    private ExportParameters() {}

    /** A parameter that must be present and not blank, trimmed. */
    public static String required(ExportSpec spec, String key) throws BlockException {
        String value = spec.parameter(key);
        if (value == null || value.isBlank()) {
            throw new BlockException(Errno.EINVAL, "export '" + spec.name() + "': parameter " + key + " is required");
        }
        return value.trim();
    }

    /** A size parameter in bytes ({@link #parseSize}), if present. */
    public static OptionalLong size(ExportSpec spec, String key) throws BlockException {
        String value = spec.parameter(key);
        if (value == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(parseSize(value));
        } catch (IllegalArgumentException e) {
            throw invalid(spec, key, value, SIZE_SYNTAX);
        }
    }

    /** {@value #LOGICAL_BLOCK_SIZE}, if present. */
    public static OptionalInt logicalBlockSize(ExportSpec spec) throws BlockException {
        String value = spec.parameter(LOGICAL_BLOCK_SIZE);
        if (value == null) {
            return OptionalInt.empty();
        }
        switch (value.trim()) {
            case "512":
                return OptionalInt.of(512);
            case "1024":
                return OptionalInt.of(1024);
            case "2048":
                return OptionalInt.of(2048);
            case "4096":
                return OptionalInt.of(4096);
            default:
                throw invalid(spec, LOGICAL_BLOCK_SIZE, value, "512, 1024, 2048 or 4096");
        }
    }

    /** A boolean parameter: {@code true} or {@code false} (any case); absent is false. */
    public static boolean flag(ExportSpec spec, String key) throws BlockException {
        String value = spec.parameter(key);
        if (value == null) {
            return false;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw invalid(spec, key, value, "true or false");
        }
    }

    /** The parameters of {@code spec} not among {@code known}, sorted: likely typos, for the backend to log. */
    public static Set<String> unknown(ExportSpec spec, String... known) {
        Set<String> unknown = new TreeSet<>(spec.parameters().keySet());
        unknown.removeAll(List.of(known));
        return unknown;
    }

    /**
     * Parses a size: decimal digits with an optional K, M, G or T suffix (any case), in powers of 1024.
     *
     * @throws IllegalArgumentException if it is not one, or does not fit a long
     */
    public static long parseSize(String text) {
        String s = text.trim();
        int shift = 0;
        if (!s.isEmpty()) {
            switch (Character.toUpperCase(s.charAt(s.length() - 1))) {
                case 'K':
                    shift = 10;
                    break;
                case 'M':
                    shift = 20;
                    break;
                case 'G':
                    shift = 30;
                    break;
                case 'T':
                    shift = 40;
                    break;
                default:
                    break;
            }
        }
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not a size: '" + text + "'");
        }
        long value;
        try {
            value = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size too large: '" + text + "'");
        }
        if (value > Long.MAX_VALUE >> shift) {
            throw new IllegalArgumentException("size too large: '" + text + "'");
        }
        return value << shift;
    }

    private static BlockException invalid(ExportSpec spec, String key, String value, String expected) {
        return new BlockException(
                Errno.EINVAL, "export '" + spec.name() + "': parameter " + key + "='" + value + "' is not " + expected);
    }
}
