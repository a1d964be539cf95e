package dev.rtrs.test.support;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The random source of one fuzz case and the mutations a case applies to a valid message. Every case owns a
 * mutator made from the run's seed, its family's salt and its index, so any single case can be generated again from
 * those three numbers, whatever ran before it. Multi-byte fields are little-endian unless a method says otherwise.
 */
public final class Mutator {

    private static final long[] BOUNDARY_16 = {0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF};
    private static final long[] BOUNDARY_32 = {
        0, 1, 2, 0xFF, 0x100, 0xFFFF, 0x10000, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFEL, 0xFFFFFFFFL
    };
    private static final long[] BOUNDARY_64 = {
        0, 1, 2, 0xFFFFFFFFL, 0x100000000L, Long.MAX_VALUE, Long.MIN_VALUE, -2, -1
    };

    private final SplittableRandom random;

    private Mutator(SplittableRandom random) {
        this.random = random;
    }

    /** The mutator of case {@code index} of the family with {@code salt} in the run with {@code seed}. */
    public static Mutator forCase(long seed, long salt, long index) {
        return new Mutator(new SplittableRandom(mix(mix(seed) ^ salt) + index * 0x9E3779B97F4A7C15L));
    }

    /** A family's salt from its name: stable across runs and machines. */
    public static long salt(String family) {
        long h = 1125899906842597L;
        for (int i = 0; i < family.length(); i++) {
            h = 31 * h + family.charAt(i);
        }
        return mix(h);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    // ---- plain draws ----

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public int nextInt(int from, int to) {
        return random.nextInt(from, to);
    }

    public long nextLong() {
        return random.nextLong();
    }

    public int nextInt() {
        return random.nextInt();
    }

    /** True with the given chance in percent. */
    public boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    @SafeVarargs
    public final <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    public <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }

    public int pickInt(int... options) {
        return options[random.nextInt(options.length)];
    }

    public byte[] bytes(int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    // ---- boundary values of a field ----

    /** A value a field of {@code size} bytes finds hard: 0, 1, powers of two, sign bits, the maximum, or random. */
    public long boundary(int size) {
        if (chance(15)) {
            return size >= 8 ? random.nextLong() : random.nextLong() & ((1L << (size * 8)) - 1);
        }
        return switch (size) {
            case 1 -> pickInt(0, 1, 0x7F, 0x80, 0xFE, 0xFF);
            case 2 -> BOUNDARY_16[random.nextInt(BOUNDARY_16.length)];
            case 4 -> BOUNDARY_32[random.nextInt(BOUNDARY_32.length)];
            default -> BOUNDARY_64[random.nextInt(BOUNDARY_64.length)];
        };
    }

    /** Writes a boundary value into the field of {@code size} bytes at {@code at}. */
    public void boundaryField(byte[] b, int at, int size) {
        if (at + size <= b.length) {
            put(b, at, size, boundary(size));
        }
    }

    // ---- generic mutation of a valid message ----

    /**
     * One to three random mutations of {@code valid}: bit flips, a byte or a 2/4/8-byte field set to a boundary
     * value, truncation, extension, a random range overwritten. Returns a new array.
     */
    public byte[] mutate(byte[] valid) {
        byte[] b = valid.clone();
        int rounds = 1 + random.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            b = mutateOnce(b);
        }
        return b;
    }

    private byte[] mutateOnce(byte[] b) {
        if (b.length == 0) {
            return bytes(1 + random.nextInt(16));
        }
        switch (random.nextInt(7)) {
            case 0 -> {
                int flips = 1 + random.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    int bit = random.nextInt(b.length * 8);
                    b[bit >>> 3] ^= (byte) (1 << (bit & 7));
                }
                return b;
            }
            case 1 -> {
                b[random.nextInt(b.length)] = (byte) boundary(1);
                return b;
            }
            case 2 -> {
                int size = pickInt(2, 4, 8);
                if (b.length >= size) {
                    int at = random.nextInt(b.length - size + 1) & ~(size - 1);
                    boundaryField(b, at, size);
                }
                return b;
            }
            case 3 -> {
                return Arrays.copyOf(b, random.nextInt(b.length));
            }
            case 4 -> {
                byte[] longer = Arrays.copyOf(b, b.length + 1 + random.nextInt(64));
                if (chance(50)) {
                    byte[] tail = bytes(longer.length - b.length);
                    System.arraycopy(tail, 0, longer, b.length, tail.length);
                }
                return longer;
            }
            case 5 -> {
                int from = random.nextInt(b.length);
                int n = 1 + random.nextInt(Math.min(16, b.length - from));
                byte[] junk = bytes(n);
                System.arraycopy(junk, 0, b, from, n);
                return b;
            }
            default -> {
                Arrays.fill(b, random.nextInt(b.length), b.length, chance(50) ? (byte) 0 : (byte) 0xFF);
                return b;
            }
        }
    }

    // ---- little-endian fields ----

    public static void put(byte[] b, int at, int size, long value) {
        for (int i = 0; i < size; i++) {
            b[at + i] = (byte) (value >>> (8 * i));
        }
    }

    public static long get(byte[] b, int at, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (b[at + i] & 0xFFL) << (8 * i);
        }
        return v;
    }
}
