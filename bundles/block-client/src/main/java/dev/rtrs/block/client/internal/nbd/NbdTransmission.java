package dev.rtrs.block.client.internal.nbd;

import dev.rtrs.block.BlockDevice;

/**
 * What a connection's negotiation agreed on for the transmission phase, and the checks every request passes
 * before it reaches the device.
 *
 * @param device            the export
 * @param mode              request and reply headers
 * @param allocationContext base:allocation was selected for this export: NBD_CMD_BLOCK_STATUS may be used
 * @param flags             the transmission flags the client was sent
 */
record NbdTransmission(BlockDevice device, NbdHeaderMode mode, boolean allocationContext, int flags) {

    /** The terms for {@code device}, with the transmission flags computed for it. */
    static NbdTransmission of(BlockDevice device, NbdHeaderMode mode, boolean allocationContext) {
        return new NbdTransmission(device, mode, allocationContext, transmissionFlags(device, mode));
    }

    /**
     * The transmission flags of {@code device} for a client with {@code mode}. Write-zeroes is offered for every
     * device: one that cannot zero by itself gets zeroes written by the gateway, and FAST_ZERO tells the two apart.
     * FUA only where the device honours it natively; DF only with chunked replies (a READ is one chunk anyway).
     */
    static int transmissionFlags(BlockDevice device, NbdHeaderMode mode) {
        int flags = Nbd.TX_HAS_FLAGS
                | Nbd.TX_SEND_FLUSH
                | Nbd.TX_SEND_WRITE_ZEROES
                | Nbd.TX_SEND_FAST_ZERO
                | Nbd.TX_SEND_CACHE
                | Nbd.TX_CAN_MULTI_CONN;
        if (device.supportsFua()) {
            flags |= Nbd.TX_SEND_FUA;
        }
        if (device.isReadOnly()) {
            flags |= Nbd.TX_READ_ONLY;
        }
        if (device.supportsDiscard()) {
            flags |= Nbd.TX_SEND_TRIM;
        }
        if (mode.chunked()) {
            flags |= Nbd.TX_SEND_DF;
        }
        return flags;
    }

    /** The command flags a request of {@code type} may carry; any other one is EINVAL. */
    int allowedFlags(int type) {
        int allowed = (flags & Nbd.TX_SEND_FUA) != 0 ? Nbd.CMD_FLAG_FUA : 0;
        return allowed
                | switch (type) {
                    case Nbd.CMD_READ -> mode.chunked() ? Nbd.CMD_FLAG_DF : 0;
                    case Nbd.CMD_WRITE -> mode == NbdHeaderMode.EXTENDED ? Nbd.CMD_FLAG_PAYLOAD_LEN : 0;
                    case Nbd.CMD_WRITE_ZEROES -> Nbd.CMD_FLAG_NO_HOLE | Nbd.CMD_FLAG_FAST_ZERO;
                    case Nbd.CMD_BLOCK_STATUS -> Nbd.CMD_FLAG_REQ_ONE;
                    default -> 0;
                };
    }

    /**
     * The NBD error a request fails with before it reaches the device, or 0. The order: unknown commands and
     * flags, the range (alignment to the logical block size, the end of the device: ENOSPC for writes, as the
     * spec asks), the size of a READ or WRITE, a read-only export, then what the command needs.
     *
     * @param length the effect length (the payload length of a WRITE); 64 bits with extended headers
     */
    int check(int type, int commandFlags, long offset, long length) {
        boolean known = type == Nbd.CMD_READ
                || type == Nbd.CMD_WRITE
                || type == Nbd.CMD_FLUSH
                || type == Nbd.CMD_TRIM
                || type == Nbd.CMD_CACHE
                || type == Nbd.CMD_WRITE_ZEROES
                || type == Nbd.CMD_BLOCK_STATUS;
        if (!known || (commandFlags & ~allowedFlags(type)) != 0) {
            return Nbd.EINVAL;
        }
        if (type == Nbd.CMD_WRITE && mode == NbdHeaderMode.EXTENDED && (commandFlags & Nbd.CMD_FLAG_PAYLOAD_LEN) == 0) {
            return Nbd.EINVAL; // a write must carry its data as a payload
        }
        if (type == Nbd.CMD_FLUSH) {
            return 0; // offset and length are reserved
        }
        if (offset < 0 || length < 0 || ((offset | length) & (device.logicalBlockSize() - 1)) != 0) {
            return Nbd.EINVAL;
        }
        if (offset > device.size() - length) {
            return type == Nbd.CMD_WRITE || type == Nbd.CMD_WRITE_ZEROES ? Nbd.ENOSPC : Nbd.EINVAL;
        }
        if ((type == Nbd.CMD_READ || type == Nbd.CMD_WRITE) && length > Nbd.MAX_REQUEST) {
            return Nbd.EINVAL; // refused before a buffer is taken for it
        }
        boolean writes = type == Nbd.CMD_WRITE || type == Nbd.CMD_TRIM || type == Nbd.CMD_WRITE_ZEROES;
        if (writes && device.isReadOnly()) {
            return Nbd.EPERM;
        }
        return switch (type) {
            case Nbd.CMD_TRIM -> device.supportsDiscard() ? 0 : Nbd.EINVAL; // not advertised
            // fast only where the device zeroes by itself; refused before anything changes
            case Nbd.CMD_WRITE_ZEROES ->
                (commandFlags & Nbd.CMD_FLAG_FAST_ZERO) != 0 && !device.supportsWriteZeroes() ? Nbd.ENOTSUP : 0;
            // the spec leaves a zero length open; qemu's server refuses it too
            case Nbd.CMD_BLOCK_STATUS -> allocationContext && length > 0 ? 0 : Nbd.EINVAL;
            default -> 0;
        };
    }
}
