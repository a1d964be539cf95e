package dev.rtrs.transport.core.internal.wire;

/**
 * A remote buffer descriptor ({@code rtrs_sg_desc}, 16 bytes): addr u64 @0, key u32 @8, len u32 @12.
 * {@code len} is unsigned on the wire; values above {@link Integer#MAX_VALUE} are refused by the codec.
 */
public record SgDesc(long address, int key, int length) {

    public static final int SIZE = 16;
}
