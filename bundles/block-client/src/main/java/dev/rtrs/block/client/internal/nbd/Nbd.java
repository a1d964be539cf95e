package dev.rtrs.block.client.internal.nbd;

import dev.rtrs.errno.Errno;

/**
 * Constants of the NBD protocol as doc/proto.md of NetworkBlockDevice/nbd defines them (fixed newstyle
 * negotiation; simple, structured and extended replies; base:allocation). Big-endian on the wire.
 */
final class Nbd {

    static final long INIT_MAGIC = 0x4e42444d41474943L; // "NBDMAGIC"
    static final long OPTION_MAGIC = 0x49484156454f5054L; // "IHAVEOPT"
    static final long REPLY_MAGIC = 0x3e889045565a9L;
    static final int REQUEST_MAGIC = 0x25609513;
    static final int EXTENDED_REQUEST_MAGIC = 0x21e41c71;
    static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;
    static final int EXTENDED_REPLY_MAGIC = 0x6e8a278c;

    static final int FLAG_FIXED_NEWSTYLE = 1;
    static final int FLAG_NO_ZEROES = 1 << 1;
    static final int CLIENT_FLAG_FIXED_NEWSTYLE = 1;
    static final int CLIENT_FLAG_NO_ZEROES = 1 << 1;

    static final int OPT_EXPORT_NAME = 1;
    static final int OPT_ABORT = 2;
    static final int OPT_LIST = 3;
    static final int OPT_INFO = 6;
    static final int OPT_GO = 7;
    static final int OPT_STRUCTURED_REPLY = 8;
    static final int OPT_LIST_META_CONTEXT = 9;
    static final int OPT_SET_META_CONTEXT = 10;
    static final int OPT_EXTENDED_HEADERS = 11;

    static final int REP_ACK = 1;
    static final int REP_SERVER = 2;
    static final int REP_INFO = 3;
    static final int REP_META_CONTEXT = 4;
    static final int REP_ERR_UNSUP = 1 | 1 << 31;
    static final int REP_ERR_INVALID = 3 | 1 << 31;
    static final int REP_ERR_UNKNOWN = 6 | 1 << 31;
    static final int REP_ERR_EXT_HEADER_REQD = 10 | 1 << 31;

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
    static final int TX_SEND_DF = 1 << 7;
    static final int TX_CAN_MULTI_CONN = 1 << 8;
    static final int TX_SEND_CACHE = 1 << 10;
    static final int TX_SEND_FAST_ZERO = 1 << 11;

    static final int CMD_READ = 0;
    static final int CMD_WRITE = 1;
    static final int CMD_DISC = 2;
    static final int CMD_FLUSH = 3;
    static final int CMD_TRIM = 4;
    static final int CMD_CACHE = 5;
    static final int CMD_WRITE_ZEROES = 6;
    static final int CMD_BLOCK_STATUS = 7;

    static final int CMD_FLAG_FUA = 1;
    static final int CMD_FLAG_NO_HOLE = 1 << 1;
    static final int CMD_FLAG_DF = 1 << 2;
    static final int CMD_FLAG_REQ_ONE = 1 << 3;
    static final int CMD_FLAG_FAST_ZERO = 1 << 4;
    static final int CMD_FLAG_PAYLOAD_LEN = 1 << 5;

    static final int REPLY_FLAG_DONE = 1;

    static final int REPLY_TYPE_NONE = 0;
    static final int REPLY_TYPE_OFFSET_DATA = 1;
    static final int REPLY_TYPE_OFFSET_HOLE = 2;
    static final int REPLY_TYPE_BLOCK_STATUS = 5;
    static final int REPLY_TYPE_BLOCK_STATUS_EXT = 6;
    static final int REPLY_TYPE_ERROR = 1 | 1 << 15;
    static final int REPLY_TYPE_ERROR_OFFSET = 2 | 1 << 15;

    /** base:allocation flags of an extent. */
    static final int STATE_HOLE = 1;

    static final int STATE_ZERO = 1 << 1;

    /** The only metadata context: its name, and the id this gateway gives it. */
    static final String ALLOCATION_CONTEXT = "base:allocation";

    static final int ALLOCATION_CONTEXT_ID = 1;

    /** Bytes of a compact request header: magic, flags, type, cookie, offset, 32-bit length. */
    static final int REQUEST_HEADER = 28;
    /** Bytes of an extended request header: as compact, with a 64-bit length. */
    static final int EXTENDED_REQUEST_HEADER = 32;

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
