package dev.rtrs.block.protocol;

import java.util.Objects;

/**
 * IO, client to server: one block request (the C struct is 26 bytes of fields padded to {@value #SIZE}).
 *
 * @param deviceId  the id the server gave in OPEN_RSP; an unsigned 32-bit value, compared for equality only
 * @param sector    first 512-byte sector
 * @param operation what to do
 * @param flags     {@link IoOperation#FLAG_SYNC} and {@link IoOperation#FLAG_FUA}, nothing else
 * @param length    bytes ({@code bi_size}): the data length of a READ or WRITE, the range of a DISCARD; unsigned
 *                  32 bits
 * @param prio      the IO priority class and level (16 bits), passed on as received
 */
public record RnbdIo(int deviceId, long sector, IoOperation operation, int flags, long length, int prio)
        implements RnbdMessage {

    public static final int SIZE = 32;

    public RnbdIo {
        Fields.sector("sector", sector);
        Objects.requireNonNull(operation, "operation");
        Fields.ioFlags(flags);
        Fields.u32("length", length);
        Fields.u16("prio", prio);
    }

    @Override
    public RnbdMessageType type() {
        return RnbdMessageType.IO;
    }

    @Override
    public int wireSize() {
        return SIZE;
    }

    /** Byte offset of the first sector. */
    public long offset() {
        return sector << RnbdCodec.SECTOR_SHIFT;
    }

    public boolean fua() {
        return (flags & IoOperation.FLAG_FUA) != 0;
    }

    public boolean sync() {
        return (flags & IoOperation.FLAG_SYNC) != 0;
    }

    /** The {@code rw} field: operation and flags. */
    public int rw() {
        return operation.wireValue() | flags;
    }
}
