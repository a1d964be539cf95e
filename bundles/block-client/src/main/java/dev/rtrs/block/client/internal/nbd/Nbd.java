package dev.rtrs.block.client.internal.nbd;

import dev.rtrs.errno.Errno;

/** Constants of the NBD protocol (fixed newstyle negotiation, simple replies). Big-endian on the wire. */
final class Nbd {

    static final long INIT_MAGIC = 0x4e42444d41474943L; // "NBDMAGIC"
    static final long OPTION_MAGIC = 0x49484156454f5054L; // "IHAVEOPT"
    static final long REPLY_MAGIC = 0x3e889045565a9L;
    static final int REQUEST_MAGIC = 0x25609513;
    static final int SIMPLE_REPLY_MAGIC = 0x67446698;

    static final int FLAG_FIXED_NEWSTYLE = 1;
    static final int FLAG_NO_ZEROES = 1 << 1;
    static final int CLIENT_FLAG_FIXED_NEWSTYLE = 1;
    static final int CLIENT_FLAG_NO_ZEROES = 1 << 1;

    static final int OPT_EXPORT_NAME = 1;
    static final int OPT_ABORT = 2;
    static final int OPT_LIST = 3;
    static final int OPT_INFO = 6;
    static final int OPT_GO = 7;

    static final int REP_ACK = 1;
    static final int REP_SERVER = 2;
    static final int REP_INFO = 3;
    static final int REP_ERR_UNSUP = 1 | 1 << 31;
    static final int REP_ERR_INVALID = 3 | 1 << 31;
    static final int REP_ERR_UNKNOWN = 6 | 1 << 31;

    static final int INFO_EXPORT = 0;
    static final int INFO_NAME = 1;
    static final int INFO_DESCRIPTION = 2;
    static final int INFO_BLOCK_SIZE = 3;

    static final int TX_HAS_FLAGS = 1;
    static final int TX_READ_ONLY = 1 << 1;
    static final int TX_SEND_FLUSH = 1 << 2;
    static final int TX_SEND_FUA = 1 << 3;
    static final int TX_SEND_TRIM = 1 << 5;
    static final int TX_SEND_WRITE_ZEROES = 1 << 6;
    static final int TX_CAN_MULTI_CONN = 1 << 8;

    static final int CMD_READ = 0;
    static final int CMD_WRITE = 1;
    static final int CMD_DISC = 2;
    static final int CMD_FLUSH = 3;
    static final int CMD_TRIM = 4;
    static final int CMD_WRITE_ZEROES = 6;

    static final int CMD_FLAG_FUA = 1;
    static final int CMD_FLAG_NO_HOLE = 1 << 1;

    /** Bytes of a request header: magic, flags, type, handle, offset, length. */
    static final int REQUEST_HEADER = 28;

    /** Largest option payload accepted during negotiation (the spec's limit for strings is 4096). */
    static final int MAX_OPTION_LENGTH = 64 * 1024;
    /** Largest READ or WRITE; advertised as the maximum block size. */
    static final int MAX_REQUEST = 32 * 1024 * 1024;

    // error values of simple replies
    static final int EPERM = 1;
    static final int EIO = 5;
    static final int ENOMEM = 12;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int EOVERFLOW = 75;
    static final int ENOTSUP = 95;
    static final int ESHUTDOWN = 108;

    private Nbd() {}

    /**
     * The command flags a request of {@code type} may carry: FUA on any command (the spec says so once
     * NBD_FLAG_SEND_FUA is advertised), NO_HOLE on WRITE_ZEROES. The rest need options this gateway does not
     * negotiate (DF, REQ_ONE, FAST_ZERO) or are unknown: EINVAL.
     */
    static int allowedFlags(int type) {
        return type == CMD_WRITE_ZEROES ? CMD_FLAG_FUA | CMD_FLAG_NO_HOLE : CMD_FLAG_FUA;
    }

    /** Maps a block-layer errno onto the few values NBD defines. */
    static int error(int errno) {
        return switch (errno) {
            case 0 -> 0;
            case Errno.EPERM, Errno.EROFS, Errno.EACCES -> EPERM;
            case Errno.ENOMEM -> ENOMEM;
            case Errno.EINVAL -> EINVAL;
            case Errno.ENOSPC -> ENOSPC;
            case Errno.EOVERFLOW -> EOVERFLOW;
            case Errno.EOPNOTSUPP -> ENOTSUP;
            case Errno.ESHUTDOWN -> ESHUTDOWN;
            default -> EIO;
        };
    }

    /** The client broke the protocol: its connection is closed, nothing else is affected. */
    static final class ProtocolViolation extends Exception {
        private static final long serialVersionUID = 1L;

        ProtocolViolation(String message) {
            super(message);
        }
    }
}
