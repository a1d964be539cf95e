package dev.rtrs.block.protocol;

/**
 * OPEN_RSP, server to client: the mapped device's id and geometry (56 bytes). Build one with
 * {@link #builder(int, long)}; sizes counted in sectors use 512-byte sectors whatever the logical block size.
 *
 * @param deviceId            the id the client names the device by in IO and CLOSE; an unsigned 32-bit value
 * @param sectors             capacity in 512-byte sectors ({@code nsectors})
 * @param maxHwSectors        largest IO in sectors (u32)
 * @param maxWriteZeroesSectors largest WRITE_ZEROES in sectors (u32; 0: not supported)
 * @param maxDiscardSectors   largest DISCARD in sectors (u32; 0: not supported)
 * @param discardGranularity  bytes (u32)
 * @param discardAlignment    bytes (u32)
 * @param physicalBlockSize   bytes; a power of two, at least the logical block size
 * @param logicalBlockSize    bytes; a power of two from 512 on
 * @param maxSegments         most data segments of one IO (u16)
 * @param secureDiscard       the kernel sends its secure-erase sector limit, truncated to 16 bits; 0: none
 * @param obsoleteRotational  kept for the layout; newer kernels send 0 (u8)
 * @param cachePolicy         {@link #CACHE_FUA} and {@link #CACHE_WRITEBACK}, nothing else
 */
public record RnbdOpenRsp(
        int deviceId,
        long sectors,
        long maxHwSectors,
        long maxWriteZeroesSectors,
        long maxDiscardSectors,
        long discardGranularity,
        long discardAlignment,
        int physicalBlockSize,
        int logicalBlockSize,
        int maxSegments,
        int secureDiscard,
        int obsoleteRotational,
        int cachePolicy)
        implements RnbdMessage {

    public static final int SIZE = 56;
    /** Cache policy bit: the device honours FUA writes. */
    public static final int CACHE_FUA = 1;
    /** Cache policy bit: the device has a volatile write cache, so flushes are needed. */
    public static final int CACHE_WRITEBACK = 1 << 1;

    public RnbdOpenRsp {
        Fields.sector("sectors", sectors);
        Fields.u32("maxHwSectors", maxHwSectors);
        Fields.u32("maxWriteZeroesSectors", maxWriteZeroesSectors);
        Fields.u32("maxDiscardSectors", maxDiscardSectors);
        Fields.u32("discardGranularity", discardGranularity);
        Fields.u32("discardAlignment", discardAlignment);
        Fields.u16("physicalBlockSize", physicalBlockSize);
        Fields.u16("logicalBlockSize", logicalBlockSize);
        Fields.u16("maxSegments", maxSegments);
        Fields.u16("secureDiscard", secureDiscard);
        Fields.u8("obsoleteRotational", obsoleteRotational);
        // a block size of 0 or 3 would make every alignment check on the client meaningless
        if (logicalBlockSize < RnbdCodec.SECTOR_SIZE || Integer.bitCount(logicalBlockSize) != 1) {
            throw new IllegalArgumentException(
                    "logical block size must be a power of two from 512: " + logicalBlockSize);
        }
        if (physicalBlockSize < logicalBlockSize || Integer.bitCount(physicalBlockSize) != 1) {
            throw new IllegalArgumentException("physical block size must be a power of two from the logical block "
                    + "size " + logicalBlockSize + ": " + physicalBlockSize);
        }
        if ((cachePolicy & ~(CACHE_FUA | CACHE_WRITEBACK)) != 0) {
            throw new IllegalArgumentException("unknown cache policy bits 0x" + Integer.toHexString(cachePolicy));
        }
    }

    /** An OPEN_RSP with 512-byte blocks, no discard, no write cache: set what differs. */
    public static Builder builder(int deviceId, long sectors) {
        return new Builder(deviceId, sectors);
    }

    @Override
    public RnbdMessageType type() {
        return RnbdMessageType.OPEN_RSP;
    }

    @Override
    public int wireSize() {
        return SIZE;
    }

    /** Capacity in bytes. */
    public long sizeBytes() {
        return sectors << RnbdCodec.SECTOR_SHIFT;
    }

    public boolean fua() {
        return (cachePolicy & CACHE_FUA) != 0;
    }

    public boolean writeback() {
        return (cachePolicy & CACHE_WRITEBACK) != 0;
    }

    /** Names the fields of an OPEN_RSP; {@link #build()} checks them. Not thread-safe. */
    public static final class Builder {

        private final int deviceId;
        private final long sectors;
        private long maxHwSectors;
        private long maxWriteZeroesSectors;
        private long maxDiscardSectors;
        private long discardGranularity;
        private long discardAlignment;
        private int physicalBlockSize = RnbdCodec.SECTOR_SIZE;
        private int logicalBlockSize = RnbdCodec.SECTOR_SIZE;
        private int maxSegments;
        private int secureDiscard;
        private int obsoleteRotational;
        private int cachePolicy;

        private Builder(int deviceId, long sectors) {
            this.deviceId = deviceId;
            this.sectors = sectors;
        }

        public Builder maxHwSectors(long value) {
            maxHwSectors = value;
            return this;
        }

        public Builder maxWriteZeroesSectors(long value) {
            maxWriteZeroesSectors = value;
            return this;
        }

        public Builder maxDiscardSectors(long value) {
            maxDiscardSectors = value;
            return this;
        }

        public Builder discardGranularity(long value) {
            discardGranularity = value;
            return this;
        }

        public Builder discardAlignment(long value) {
            discardAlignment = value;
            return this;
        }

        /** Sets both block sizes. */
        public Builder blockSizes(int logical, int physical) {
            logicalBlockSize = logical;
            physicalBlockSize = physical;
            return this;
        }

        public Builder maxSegments(int value) {
            maxSegments = value;
            return this;
        }

        public Builder secureDiscard(int value) {
            secureDiscard = value;
            return this;
        }

        public Builder obsoleteRotational(int value) {
            obsoleteRotational = value;
            return this;
        }

        public Builder cachePolicy(int value) {
            cachePolicy = value;
            return this;
        }

        /** @throws IllegalArgumentException if a field does not fit its wire field or is not a valid value */
        public RnbdOpenRsp build() {
            return new RnbdOpenRsp(
                    deviceId,
                    sectors,
                    maxHwSectors,
                    maxWriteZeroesSectors,
                    maxDiscardSectors,
                    discardGranularity,
                    discardAlignment,
                    physicalBlockSize,
                    logicalBlockSize,
                    maxSegments,
                    secureDiscard,
                    obsoleteRotational,
                    cachePolicy);
        }
    }
}
