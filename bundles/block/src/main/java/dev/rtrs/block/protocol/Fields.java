package dev.rtrs.block.protocol;

/** Range checks of record components against the width of their wire field. */
final class Fields {

    static final long U32_MAX = 0xFFFF_FFFFL;
    /** Largest sector number whose byte offset ({@code sector * 512}) fits a long. */
    static final long MAX_SECTOR = Long.MAX_VALUE >>> 9;

    private Fields() {}

    static int u8(String name, int value) {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException(name + " must fit 8 unsigned bits: " + value);
        }
        return value;
    }

    static int u16(String name, int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(name + " must fit 16 unsigned bits: " + value);
        }
        return value;
    }

    static long u32(String name, long value) {
        if (value < 0 || value > U32_MAX) {
            throw new IllegalArgumentException(name + " must fit 32 unsigned bits: " + value);
        }
        return value;
    }

    /** The flag bits of an IO's {@code rw}: {@link IoOperation#FLAGS} only. */
    static int ioFlags(int flags) {
        if ((flags & ~IoOperation.FLAGS) != 0) {
            throw new IllegalArgumentException("unknown IO flag bits 0x" + Integer.toHexString(flags));
        }
        return flags;
    }

    static long sector(String name, long value) {
        if (value < 0 || value > MAX_SECTOR) {
            throw new IllegalArgumentException(name + " must be in [0, 2^54): " + value);
        }
        return value;
    }
}
