package dev.rtrs.transport.core.internal.wire;

import java.util.UUID;

/**
 * Golden bytes of RTRS 2.0 as the Linux kernel lays them out, written down from the kernel's own definitions and
 * never from {@link RtrsCodec}: the structs and immediate helpers of {@code drivers/infiniband/ulp/rtrs/rtrs-pri.h},
 * the client's {@code rtrs_rdma_route_resolved}, {@code rtrs_send_sess_info}, {@code alloc_permits},
 * {@code rtrs_clt_write_req} and {@code rtrs_clt_read_req} ({@code rtrs-clt.c}), the server's
 * {@code rtrs_rdma_do_accept}, {@code process_info_req}, {@code map_cont_bufs}, {@code rtrs_srv_rdma_done},
 * {@code process_read}/{@code process_write} and {@code rdma_write_sg} ({@code rtrs-srv.c}).
 *
 * <p>Every struct field is little-endian ({@code __le16}, {@code __le32}, {@code __le64}); {@code uuid_t} is 16
 * raw bytes. The struct sizes follow from the fields (all naturally aligned, no padding). Each writer below names
 * the struct field it writes.
 */
public final class KernelLayouts {

    // ---- rtrs-pri.h: constants ----

    /** {@code RTRS_MAGIC}. */
    public static final int RTRS_MAGIC = 0x1BBD;
    /** {@code RTRS_PROTO_VER = (RTRS_PROTO_VER_MAJOR << 8) | RTRS_PROTO_VER_MINOR}, 2.0. */
    public static final int RTRS_PROTO_VER = 2 << 8 | 0;
    /** {@code NAME_MAX} of {@code <linux/limits.h>}. */
    public static final int NAME_MAX = 255;

    /** {@code enum rtrs_imm_const}. */
    public static final int MAX_IMM_TYPE_BITS = 4;

    public static final int MAX_IMM_TYPE_MASK = (1 << MAX_IMM_TYPE_BITS) - 1;
    public static final int MAX_IMM_PAYL_BITS = 28;
    public static final int MAX_IMM_PAYL_MASK = (1 << MAX_IMM_PAYL_BITS) - 1;

    /** {@code enum rtrs_imm_type}. */
    public static final int RTRS_IO_REQ_IMM = 0;

    public static final int RTRS_IO_RSP_IMM = 1;
    public static final int RTRS_IO_RSP_W_INV_IMM = 2;
    public static final int RTRS_HB_MSG_IMM = 8;
    public static final int RTRS_HB_ACK_IMM = 9;

    /** {@code enum rtrs_msg_types}. */
    public static final int RTRS_MSG_INFO_REQ = 0;

    public static final int RTRS_MSG_INFO_RSP = 1;
    public static final int RTRS_MSG_WRITE = 2;
    public static final int RTRS_MSG_READ = 3;
    public static final int RTRS_MSG_RKEY_RSP = 4;

    /** {@code enum rtrs_msg_flags}. */
    public static final int RTRS_MSG_NEED_INVAL_F = 1 << 0;

    public static final int RTRS_MSG_NEW_RKEY_F = 1 << 1;

    /** {@code MAX_HDR_SIZE} of rtrs-srv.c: {@code PAGE_SIZE}, 4096 on the usual architectures. */
    public static final int SRV_MAX_HDR_SIZE = 4096;

    // ---- struct sizes (sizeof) ----

    /** {@code sizeof(struct rtrs_sg_desc)}: addr 8 + key 4 + len 4. */
    public static final int SG_DESC_SIZE = 16;
    /** {@code sizeof(struct rtrs_msg_conn_req)} and {@code sizeof(struct rtrs_msg_conn_rsp)}. */
    public static final int CONN_PRIVATE_DATA_SIZE = 56;
    /** {@code sizeof(struct rtrs_msg_info_req)}: type 2 + sessname 255 + reserved 15. */
    public static final int INFO_REQ_SIZE = 2 + NAME_MAX + 15;
    /** {@code sizeof(struct rtrs_msg_info_rsp)} without its flexible {@code desc[]}. */
    public static final int INFO_RSP_HEADER_SIZE = 8;
    /** {@code sizeof(struct rtrs_msg_rdma_read)} without its flexible {@code desc[]}. */
    public static final int RDMA_READ_HEADER_SIZE = 8;
    /** {@code sizeof(struct rtrs_msg_rdma_write)}. */
    public static final int RDMA_WRITE_SIZE = 4;
    /** {@code sizeof(struct rtrs_msg_rkey_rsp)}. */
    public static final int RKEY_RSP_SIZE = 8;

    private KernelLayouts() {}

    /** One {@code struct rtrs_sg_desc}. */
    public record Desc(long addr, int key, int len) {}

    // ---- connection manager private data ----

    /**
     * {@code struct rtrs_msg_conn_req} as {@code rtrs_rdma_route_resolved} fills it.
     *
     * @param sessUuid  {@code sess_uuid}: the uuid of the path
     * @param pathsUuid {@code paths_uuid}: the uuid of the session
     */
    public static byte[] conReq(int cid, int cidNum, int reconCnt, UUID sessUuid, UUID pathsUuid, boolean firstConn) {
        Le b = new Le(CONN_PRIVATE_DATA_SIZE);
        b.u8(0, 0); // __cma_version: 0, cma.c sets it for AF_IB
        b.u8(1, 0); // __ip_version: 0 on the sender, or cma_save_ip_info() fails
        b.u16(2, RTRS_MAGIC); // magic
        b.u16(4, RTRS_PROTO_VER); // version
        b.u16(6, cid); // cid
        b.u16(8, cidNum); // cid_num: con_num = nr_cpu_ids + nr_poll_queues + 1
        b.u16(10, reconCnt); // recon_cnt
        b.bytes(12, uuid(sessUuid)); // sess_uuid
        b.bytes(28, uuid(pathsUuid)); // paths_uuid
        b.u8(44, firstConn ? 1 : 0); // first_conn : 1 (bit 0), reserved_bits : 7 left 0
        // reserved[11] at 45..55 stays 0 (msg is a compound literal)
        return b.bytes();
    }

    /**
     * {@code struct rtrs_msg_conn_rsp} as {@code rtrs_rdma_do_accept} (errno 0) or {@code rtrs_rdma_do_reject}
     * (errno negative, other fields 0) fills it.
     */
    public static byte[] conRsp(int errno, int queueDepth, int maxIoSize, int maxHdrSize, int flags) {
        Le b = new Le(CONN_PRIVATE_DATA_SIZE);
        b.u16(0, RTRS_MAGIC); // magic
        b.u16(2, RTRS_PROTO_VER); // version
        b.u16(4, errno); // errno: cpu_to_le16 of a negative int keeps its low 16 bits
        b.u16(6, queueDepth); // queue_depth
        b.u32(8, maxIoSize); // max_io_size: max_chunk_size - MAX_HDR_SIZE
        b.u32(12, maxHdrSize); // max_hdr_size: MAX_HDR_SIZE
        b.u32(16, flags); // flags: RTRS_MSG_NEW_RKEY_F with always_invalidate
        // reserved[36] at 20..55 stays 0
        return b.bytes();
    }

    /** The CON_RSP the kernel server accepts with, for a chunk size ({@code max_chunk_size}). */
    public static byte[] conRspAccept(int queueDepth, int maxChunkSize, boolean alwaysInvalidate) {
        return conRsp(
                0,
                queueDepth,
                maxChunkSize - SRV_MAX_HDR_SIZE,
                SRV_MAX_HDR_SIZE,
                alwaysInvalidate ? RTRS_MSG_NEW_RKEY_F : 0);
    }

    // ---- messages in registered memory ----

    /** {@code struct rtrs_msg_info_req} as {@code rtrs_send_sess_info} fills it (sessname NUL-padded). */
    public static byte[] infoReq(String sessname) {
        Le b = new Le(INFO_REQ_SIZE);
        b.u16(0, RTRS_MSG_INFO_REQ); // type
        // sessname[NAME_MAX]: memcpy of the path's sessname, a zeroed char[NAME_MAX] filled by strscpy
        byte[] name = ascii(sessname);
        if (name.length >= NAME_MAX) {
            throw new IllegalArgumentException("strscpy keeps at most NAME_MAX - 1 bytes");
        }
        b.bytes(2, name);
        // reserved[15] at 257..271 stays 0
        return b.bytes();
    }

    /** {@code struct rtrs_msg_info_rsp} with its descriptors, as {@code process_info_req} fills it. */
    public static byte[] infoRsp(Desc... desc) {
        Le b = new Le(INFO_RSP_HEADER_SIZE + desc.length * SG_DESC_SIZE);
        b.u16(0, RTRS_MSG_INFO_RSP); // type
        b.u16(2, desc.length); // sg_cnt: mrs_num
        // reserved[4] at 4..7 stays 0
        for (int i = 0; i < desc.length; i++) {
            sgDesc(b, INFO_RSP_HEADER_SIZE + i * SG_DESC_SIZE, desc[i]); // desc[i]: mr->iova, mr->rkey, mr->length
        }
        return b.bytes();
    }

    /** {@code struct rtrs_msg_rdma_write}. */
    public static byte[] rdmaWrite(int usrLen) {
        Le b = new Le(RDMA_WRITE_SIZE);
        b.u16(0, RTRS_MSG_WRITE); // type
        b.u16(2, usrLen); // usr_len
        return b.bytes();
    }

    /** {@code struct rtrs_msg_rdma_read} with its descriptors. */
    public static byte[] rdmaRead(int usrLen, int flags, Desc... desc) {
        Le b = new Le(RDMA_READ_HEADER_SIZE + desc.length * SG_DESC_SIZE);
        b.u16(0, RTRS_MSG_READ); // type
        b.u16(2, usrLen); // usr_len
        b.u16(4, flags); // flags: RTRS_MSG_NEED_INVAL_F when the client fast-registered its buffer
        b.u16(6, desc.length); // sg_cnt
        for (int i = 0; i < desc.length; i++) {
            sgDesc(b, RDMA_READ_HEADER_SIZE + i * SG_DESC_SIZE, desc[i]); // desc[i]
        }
        return b.bytes();
    }

    /** {@code struct rtrs_msg_rkey_rsp} as {@code rdma_write_sg} and {@code send_io_resp_imm} fill it. */
    public static byte[] rkeyRsp(int bufId, int rkey) {
        Le b = new Le(RKEY_RSP_SIZE);
        b.u16(0, RTRS_MSG_RKEY_RSP); // type
        b.u16(2, bufId); // buf_id: id->msg_id
        b.u32(4, rkey); // rkey: the chunk MR's fresh rkey
        return b.bytes();
    }

    /**
     * What {@code rtrs_clt_write_req} RDMA-writes to the chunk's start ({@code rbuf->addr}): the data's
     * scatter list, then the iu buffer holding the user message and, after it, {@code struct rtrs_msg_rdma_write}.
     */
    public static byte[] clientWriteChunk(byte[] data, byte[] usr) {
        byte[] out = new byte[data.length + usr.length + RDMA_WRITE_SIZE];
        System.arraycopy(data, 0, out, 0, data.length);
        System.arraycopy(usr, 0, out, data.length, usr.length);
        System.arraycopy(rdmaWrite(usr.length), 0, out, data.length + usr.length, RDMA_WRITE_SIZE);
        return out;
    }

    /**
     * What {@code rtrs_clt_read_req} RDMA-writes to chunk offset {@code data_len} ({@code rtrs_post_send_rdma} with
     * {@code off = req->data_len}): the iu buffer, user message then {@code struct rtrs_msg_rdma_read}.
     */
    public static byte[] clientReadRequest(byte[] usr, int flags, Desc... desc) {
        byte[] msg = rdmaRead(usr.length, flags, desc);
        byte[] out = new byte[usr.length + msg.length];
        System.arraycopy(usr, 0, out, 0, usr.length);
        System.arraycopy(msg, 0, out, usr.length, msg.length);
        return out;
    }

    // ---- immediate data (rtrs-pri.h) ----

    /** {@code rtrs_to_imm}. */
    public static int toImm(int type, int payload) {
        return (type & MAX_IMM_TYPE_MASK) << MAX_IMM_PAYL_BITS | payload & MAX_IMM_PAYL_MASK;
    }

    /** The {@code *type} of {@code rtrs_from_imm}. */
    public static int immType(int imm) {
        return imm >>> MAX_IMM_PAYL_BITS;
    }

    /** The {@code *payload} of {@code rtrs_from_imm}. */
    public static int immPayload(int imm) {
        return imm & MAX_IMM_PAYL_MASK;
    }

    /** {@code rtrs_to_io_req_imm}. */
    public static int ioReqImm(int addr) {
        return toImm(RTRS_IO_REQ_IMM, addr);
    }

    /** {@code rtrs_to_io_rsp_imm}: 9 bits of errno, 19 bits of msg_id. */
    public static int ioRspImm(int msgId, int errno, boolean wInval) {
        int payload = (Math.abs(errno) & 0x1ff) << 19 | msgId & 0x7ffff;
        return toImm(wInval ? RTRS_IO_RSP_W_INV_IMM : RTRS_IO_RSP_IMM, payload);
    }

    /** The {@code *msg_id} of {@code rtrs_from_io_rsp_imm}. */
    public static int ioRspMsgId(int payload) {
        return payload & 0x7ffff;
    }

    /** The {@code *errno} of {@code rtrs_from_io_rsp_imm}: negative, as the kernel hands it on. */
    public static int ioRspErrno(int payload) {
        return -(payload >>> 19 & 0x1ff);
    }

    /** The immediate of a heartbeat ({@code hb_work}: {@code rtrs_to_imm(RTRS_HB_MSG_IMM, 0)}). */
    public static int hbMsgImm() {
        return toImm(RTRS_HB_MSG_IMM, 0);
    }

    /** The immediate of a heartbeat answer ({@code rtrs_send_hb_ack}: {@code rtrs_to_imm(RTRS_HB_ACK_IMM, 0)}). */
    public static int hbAckImm() {
        return toImm(RTRS_HB_ACK_IMM, 0);
    }

    /** {@code ilog2} of a u32 at run time: {@code fls(n) - 1}, so -1 for 0. */
    public static int ilog2(int n) {
        return 31 - Integer.numberOfLeadingZeros(n);
    }

    /** {@code chunk_bits = ilog2(queue_depth - 1) + 1} of {@code alloc_permits} and {@code map_cont_bufs}. */
    public static int chunkBits(int queueDepth) {
        return ilog2(queueDepth - 1) + 1;
    }

    /** {@code mem_bits = MAX_IMM_PAYL_BITS - chunk_bits} of {@code map_cont_bufs}. */
    public static int memBits(int queueDepth) {
        return MAX_IMM_PAYL_BITS - chunkBits(queueDepth);
    }

    /** {@code permit->mem_off = i << (MAX_IMM_PAYL_BITS - chunk_bits)} of {@code alloc_permits}. */
    public static int memOff(int bufId, int queueDepth) {
        return bufId << memBits(queueDepth);
    }

    /** The IO_REQ immediate of a request whose message sits at {@code offset} of chunk {@code bufId}. */
    public static int ioReqImm(int bufId, int queueDepth, int offset) {
        return ioReqImm(memOff(bufId, queueDepth) + offset);
    }

    /** {@code msg_id = imm_payload >> sess->mem_bits} of {@code rtrs_srv_rdma_done}. */
    public static int srvMsgId(int payload, int memBits) {
        return payload >>> memBits;
    }

    /** {@code off = imm_payload & ((1 << sess->mem_bits) - 1)} of {@code rtrs_srv_rdma_done}. */
    public static int srvOff(int payload, int memBits) {
        return payload & ((1 << memBits) - 1);
    }

    // ---- reading kernel layouts, for the doubles ----

    /** An {@code __le16} at {@code at}. */
    public static int le16(byte[] b, int at) {
        return b[at] & 0xFF | (b[at + 1] & 0xFF) << 8;
    }

    /** An {@code __le32} at {@code at}. */
    public static int le32(byte[] b, int at) {
        return le16(b, at) | le16(b, at + 2) << 16;
    }

    /** An {@code __le64} at {@code at}. */
    public static long le64(byte[] b, int at) {
        return le32(b, at) & 0xFFFF_FFFFL | (long) le32(b, at + 4) << 32;
    }

    /** The {@code struct rtrs_sg_desc} at {@code at}. */
    public static Desc desc(byte[] b, int at) {
        return new Desc(le64(b, at), le32(b, at + 8), le32(b, at + 12));
    }

    /** {@code uuid_t}: the 16 bytes in the order of the textual form, most significant first. */
    public static byte[] uuid(UUID u) {
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (u.getMostSignificantBits() >>> (56 - 8 * i));
            out[8 + i] = (byte) (u.getLeastSignificantBits() >>> (56 - 8 * i));
        }
        return out;
    }

    /** Reads a {@code uuid_t} back. */
    public static UUID uuidAt(byte[] b, int at) {
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = msb << 8 | b[at + i] & 0xFF;
            lsb = lsb << 8 | b[at + 8 + i] & 0xFF;
        }
        return new UUID(msb, lsb);
    }

    private static void sgDesc(Le b, int at, Desc d) {
        b.u64(at, d.addr()); // addr
        b.u32(at + 8, d.key()); // key
        b.u32(at + 12, d.len()); // len
    }

    private static byte[] ascii(String s) {
        byte[] out = new byte[s.length()];
        for (int i = 0; i < out.length; i++) {
            char c = s.charAt(i);
            if (c == 0 || c > 0x7F) {
                throw new IllegalArgumentException("golden names are ASCII without NUL");
            }
            out[i] = (byte) c;
        }
        return out;
    }

    /** A zeroed struct and little-endian stores at byte offsets: the writer of the golden bytes. */
    private static final class Le {
        private final byte[] b;

        Le(int size) {
            b = new byte[size];
        }

        void u8(int at, int v) {
            b[at] = (byte) v;
        }

        void u16(int at, int v) {
            b[at] = (byte) v;
            b[at + 1] = (byte) (v >>> 8);
        }

        void u32(int at, int v) {
            u16(at, v);
            u16(at + 2, v >>> 16);
        }

        void u64(int at, long v) {
            u32(at, (int) v);
            u32(at + 4, (int) (v >>> 32));
        }

        void bytes(int at, byte[] v) {
            System.arraycopy(v, 0, b, at, v.length);
        }

        byte[] bytes() {
            return b;
        }
    }
}
