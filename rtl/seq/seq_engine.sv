// Layer-sequential engine (`seq`, docs/engines.md): one Pe x Simd array iterated over the
// passes of a network, sequenced by a layer-descriptor table. Serves qrcnn (MacInt, INT4
// weights), bnn (MacXnor: 1-bit XNOR-popcount lanes + INT8 lanes for its head), int2kd
// (MacInt, INT2), logq (MacPow2, shift-add) and dwsep (MacInt, INT8; depthwise convolutions
// as OpDw passes, one tap per cycle). Descriptors, weights and per-channel parameters are
// written at run time through the register/load port (tb/seq_program.cpp).
//
// Storage (all synchronous-read block RAMs, prim_ram, one read + one write port each):
//  - activation buffers A and B (ping-pong; A also takes the input): words of Simd lanes of
//    ABits (or Simd*ABits 1-bit lanes), position-major: word = pos * CW + cw, lane = channel
//    within the word. A conv tap's input channels are one or more consecutive words, so a
//    reduction reads consecutive addresses: address generation only adds.
//  - weight rows: one Pe * WLane row per chunk (PE p's Simd weights at [p*WLane]).
//  - parameters: one ParW entry per output channel (A = bias or threshold, mult, shift, dir).
//  - descriptors: 16-bit fields, DescStride per pass.
// Per beat: Load (one sample per accepted cycle, then the aux values) -> per pass: Desc
// (NumDf + 1 cycles: the descriptor fields, one per cycle) -> per output group of Pe channels:
// Par (one cycle per channel of the group + 1: its parameters) -> Work (Lout * NChunk cycles, one chunk per cycle) ->
// Drain (DrainCycles: the pipeline empties) -> ... -> Out (class + logits, until accepted).
// Pipeline: S0 counters and memory reads, S1 lane products and adder tree (or XNOR +
// popcount), S2 accumulate, S3..S6 write-back (prim_wb: multiply, round, shift, clamp) and the
// masked buffer write in S6.
module seq_engine #(
  parameter int unsigned Pe         = 4,
  parameter int unsigned Simd       = 8,
  parameter int unsigned MacKind    = 0,
  parameter int unsigned WBits      = 4,
  parameter int unsigned ABits      = 8,
  parameter int unsigned XnorLanes  = 32,    // MacXnor: 1-bit lanes of a word (<= Simd * ABits)
  parameter int unsigned AccBits    = 24,
  parameter int unsigned ActDepthA  = 256,   // words of buffer A (input + odd passes' outputs)
  parameter int unsigned ActDepthB  = 256,   // words of buffer B
  parameter int unsigned WgtRows    = 256,
  parameter int unsigned HugeBits   = 65536, // a weight RAM above this many bits goes to SPRAM
  parameter int unsigned ParDepth   = 128,   // parameter entries (output channels of all passes)
  parameter int unsigned DescDepth  = 16,    // passes in the descriptor table
  parameter int unsigned AuxDepth   = 4,
  parameter int unsigned MaxClasses = 8
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  // beat samples in
  input  logic                       in_valid_i,
  output logic                       in_ready_o,
  input  logic [31:0]                in_data_i,
  // result out: predicted class and logits (logit c in bits [32c +: 32])
  output logic                       out_valid_o,
  input  logic                       out_ready_i,
  output logic [7:0]                 out_class_o,
  output logic [MaxClasses*32-1:0]   out_logits_o,
  // register / load port (writes: CSR, descriptors, weights, parameters; reads: CSR)
  input  logic                       reg_we_i,
  input  logic [31:0]                reg_addr_i,
  input  logic [31:0]                reg_wdata_i,
  output logic [31:0]                reg_rdata_o
);
  localparam int unsigned NumDf  = seq_hw_pkg::NumDf;
  localparam int unsigned ParW   = seq_hw_pkg::ParW;
  localparam int unsigned PABits = seq_hw_pkg::ParABits;
  localparam int unsigned MBits  = seq_hw_pkg::MultBits;
  localparam int unsigned Drain  = seq_hw_pkg::DrainCycles;
  localparam int unsigned Aw     = Simd * ABits;
  localparam int unsigned XL     = (MacKind == seq_hw_pkg::MacXnor) ? XnorLanes : Simd;
  localparam int unsigned WLane  = (XL > Simd * WBits) ? XL : Simd * WBits;
  localparam int unsigned WRow   = Pe * WLane;
  localparam int unsigned NSlice = (WRow + 31) / 32;
  localparam int unsigned SliceW = (NSlice > 1) ? $clog2(NSlice) : 1;
  localparam int unsigned AAw    = $clog2(ActDepthA);
  localparam int unsigned BAw    = $clog2(ActDepthB);
  localparam int unsigned WAw    = $clog2(WgtRows);
  localparam int unsigned PAw    = $clog2(ParDepth);
  localparam int unsigned DAw    = $clog2(DescDepth) + seq_hw_pkg::DescAwF;
  localparam int unsigned CntW   = $clog2(Aw + 1);
  localparam int unsigned NGrp   = (Simd / Pe > 0) ? Simd / Pe : 1;
  localparam int unsigned SelW   = (NGrp > 1) ? $clog2(NGrp) : 1;
  localparam int unsigned ClsAw  = $clog2(MaxClasses);
  localparam int unsigned NAuxW  = (AuxDepth + Simd - 1) / Simd;  // aux chunks at most

  typedef enum logic [2:0] {
    StLoad  = 3'd0,
    StDesc  = 3'd1,
    StPar   = 3'd2,
    StWork  = 3'd3,
    StDrain = 3'd4,
    StOut   = 3'd5
  } state_e;

  // ---------------------------------------------------------------------------------------
  // CSRs
  logic        enable_q;
  logic [15:0] npass_q, in_len_q;
  logic [7:0]  aux_len_q;
  logic [31:0] beats_q, cyc_q, cyc_last_q;
  state_e      state_q;
  logic [7:0]  pass_q;

  logic [3:0] reg_region;
  assign reg_region = reg_addr_i[31:28];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      enable_q  <= 1'b0;
      npass_q   <= '0;
      in_len_q  <= '0;
      aux_len_q <= '0;
    end else if (reg_we_i && reg_region == seq_hw_pkg::RegionCsr) begin
      unique case (reg_addr_i[7:0])
        seq_hw_pkg::CsrCtrl:   enable_q  <= reg_wdata_i[0];
        seq_hw_pkg::CsrNPass:  npass_q   <= reg_wdata_i[15:0];
        seq_hw_pkg::CsrInLen:  in_len_q  <= reg_wdata_i[15:0];
        seq_hw_pkg::CsrAuxLen: aux_len_q <= reg_wdata_i[7:0];
        default: ;
      endcase
    end
  end

  always_comb begin
    unique case (reg_addr_i[7:0])
      seq_hw_pkg::CsrId:        reg_rdata_o = seq_hw_pkg::IdValue;
      seq_hw_pkg::CsrHwParams:  reg_rdata_o = {3'd0, 5'(ABits), 4'(WBits), 4'(MacKind), 8'(Simd), 8'(Pe)};
      seq_hw_pkg::CsrActDepthA: reg_rdata_o = ActDepthA;
      seq_hw_pkg::CsrActDepthB: reg_rdata_o = ActDepthB;
      seq_hw_pkg::CsrWgtRows:   reg_rdata_o = WgtRows;
      seq_hw_pkg::CsrParDepth:  reg_rdata_o = ParDepth;
      seq_hw_pkg::CsrDescDepth: reg_rdata_o = DescDepth;
      seq_hw_pkg::CsrAuxDepth:  reg_rdata_o = AuxDepth;
      seq_hw_pkg::CsrMaxClass:  reg_rdata_o = MaxClasses;
      seq_hw_pkg::CsrAccBits:   reg_rdata_o = {8'(XL), 8'(Drain), 8'(NumDf), 8'(AccBits)};
      seq_hw_pkg::CsrCtrl:      reg_rdata_o = {31'd0, enable_q};
      seq_hw_pkg::CsrNPass:     reg_rdata_o = {16'd0, npass_q};
      seq_hw_pkg::CsrInLen:     reg_rdata_o = {16'd0, in_len_q};
      seq_hw_pkg::CsrAuxLen:    reg_rdata_o = {24'd0, aux_len_q};
      seq_hw_pkg::CsrStatus:    reg_rdata_o = {16'd0, pass_q, 5'd0, state_q};
      seq_hw_pkg::CsrBeats:     reg_rdata_o = beats_q;
      seq_hw_pkg::CsrCycLast:   reg_rdata_o = cyc_last_q;
      default:                  reg_rdata_o = '0;
    endcase
    if (reg_region != seq_hw_pkg::RegionCsr) reg_rdata_o = '0;
  end

  // ---------------------------------------------------------------------------------------
  // Sequencer state and counters (S0)
  logic [NumDf*16-1:0] desc_q;   // the current pass's descriptor (field f at [16f +: 16])
  logic [Pe*ParW-1:0]  par_q;    // the current group's parameters (PE p at [p*ParW +: ParW])
  logic [15:0] ld_cnt_q, cnt_q;
  logic        in_sel_q;         // buffer the pass reads (0: A); it writes the other one
  logic [15:0] og_q, ogl_in_q, ow_in_q, ogl_out_q, ow_out_q, obase_q, wrow_og_q;
  logic [15:0] t_q, r_q, cw_q, pos_t_q, pos_q, addr_t_q, addr_q, wrow_q, oaddr_t_q;
  logic        in_aux_q;
  logic [15:0] ac_q;

  logic [15:0] d_ctrl, d_nog, d_cout_last, d_lout, d_nchunk, d_ncw, d_ntapcw, d_last_cnt;
  logic [15:0] d_aux_cnt, d_lin, d_pos0, d_stride, d_addr0, d_astep_t, d_astep_c, d_gin;
  logic [15:0] d_cwo, d_gout, d_wbase, d_pbase, d_padval, d_lo, d_hi;
  assign d_ctrl      = desc_q[seq_hw_pkg::DfCtrl*16     +: 16];
  assign d_nog       = desc_q[seq_hw_pkg::DfNOg*16      +: 16];
  assign d_cout_last = desc_q[seq_hw_pkg::DfCoutLast*16 +: 16];
  assign d_lout      = desc_q[seq_hw_pkg::DfLout*16     +: 16];
  assign d_nchunk    = desc_q[seq_hw_pkg::DfNChunk*16   +: 16];
  assign d_ncw       = desc_q[seq_hw_pkg::DfNCw*16      +: 16];
  assign d_ntapcw    = desc_q[seq_hw_pkg::DfNTapCw*16   +: 16];
  assign d_last_cnt  = desc_q[seq_hw_pkg::DfLastCnt*16  +: 16];
  assign d_aux_cnt   = desc_q[seq_hw_pkg::DfAuxCnt*16   +: 16];
  assign d_lin       = desc_q[seq_hw_pkg::DfLin*16      +: 16];
  assign d_pos0      = desc_q[seq_hw_pkg::DfPos0*16     +: 16];
  assign d_stride    = desc_q[seq_hw_pkg::DfStride*16   +: 16];
  assign d_addr0     = desc_q[seq_hw_pkg::DfAddr0*16    +: 16];
  assign d_astep_t   = desc_q[seq_hw_pkg::DfAStepT*16   +: 16];
  assign d_astep_c   = desc_q[seq_hw_pkg::DfAStepC*16   +: 16];
  assign d_gin       = desc_q[seq_hw_pkg::DfGIn*16      +: 16];
  assign d_cwo       = desc_q[seq_hw_pkg::DfCWo*16      +: 16];
  assign d_gout      = desc_q[seq_hw_pkg::DfGOut*16     +: 16];
  assign d_wbase     = desc_q[seq_hw_pkg::DfWBase*16    +: 16];
  assign d_pbase     = desc_q[seq_hw_pkg::DfPBase*16    +: 16];
  assign d_padval    = desc_q[seq_hw_pkg::DfPadVal*16   +: 16];
  assign d_lo        = desc_q[seq_hw_pkg::DfLo*16       +: 16];
  assign d_hi        = desc_q[seq_hw_pkg::DfHi*16       +: 16];

  logic [1:0] d_op, d_ew;
  logic       d_lanewise, d_pick, d_bin_in, d_bin_out, d_has_bias, d_signed, d_intw;
  assign d_op       = d_ctrl[1:0];
  assign d_ew       = d_ctrl[3:2];
  assign d_lanewise = (d_op != seq_hw_pkg::OpMac);  // operand: the word of the group's channels
  assign d_pick     = d_lanewise && d_op != seq_hw_pkg::OpDw;  // max/sum: the PE's lane itself
  assign d_bin_in   = d_ctrl[seq_hw_pkg::CtrlBinIn];
  assign d_bin_out  = d_ctrl[seq_hw_pkg::CtrlBinOut];
  assign d_has_bias = d_ctrl[seq_hw_pkg::CtrlHasBias];
  assign d_signed   = d_ctrl[seq_hw_pkg::CtrlSigned];
  assign d_intw     = d_ctrl[seq_hw_pkg::CtrlIntW];

  logic last_pass, r_last, cw_last, main_last, t_last, og_last, par_done, desc_done, drain_done;
  assign last_pass  = (16'(pass_q) + 16'd1 == npass_q);
  assign r_last     = (r_q + 16'd1 == d_nchunk);
  assign cw_last    = (cw_q + 16'd1 == d_ncw);
  assign main_last  = (r_q + 16'd1 == d_ntapcw);
  assign t_last     = (t_q + 16'd1 == d_lout);
  assign og_last    = (og_q + 16'd1 == d_nog);
  assign desc_done  = (cnt_q == 16'(NumDf));
  assign par_done   = (cnt_q == (og_last ? d_cout_last : 16'(Pe)));  // the group's channels
  assign drain_done = (cnt_q == 16'(Drain - 1));

  assign in_ready_o  = (state_q == StLoad) && enable_q;
  assign out_valid_o = (state_q == StOut);

  logic in_hs, out_hs;
  assign in_hs  = in_valid_i && in_ready_o;
  assign out_hs = out_valid_o && out_ready_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= StLoad;
      pass_q     <= '0;
      ld_cnt_q   <= '0;
      cnt_q      <= '0;
      in_sel_q   <= 1'b0;
      beats_q    <= '0;
      cyc_q      <= '0;
      cyc_last_q <= '0;
      {og_q, ogl_in_q, ow_in_q, ogl_out_q, ow_out_q, obase_q, wrow_og_q} <= '0;
      {t_q, r_q, cw_q, pos_t_q, pos_q, addr_t_q, addr_q, wrow_q, oaddr_t_q, ac_q} <= '0;
      in_aux_q   <= 1'b0;
    end else begin
      // Cycles of the current beat: from its first accepted sample to its output handshake.
      if (state_q != StLoad || ld_cnt_q != '0) cyc_q <= cyc_q + 1;
      else if (in_hs)                          cyc_q <= 32'd1;
      unique case (state_q)
        StLoad: begin
          if (in_hs) begin
            ld_cnt_q <= ld_cnt_q + 1;
            if (ld_cnt_q + 16'd1 == in_len_q + 16'(aux_len_q)) begin
              ld_cnt_q <= '0;
              pass_q   <= '0;
              in_sel_q <= 1'b0;
              cnt_q    <= '0;
              state_q  <= StDesc;
            end
          end
        end
        StDesc: begin
          // Field cnt_q is read this cycle; the field read in the previous cycle is shifted in.
          cnt_q <= cnt_q + 1;
          {og_q, ogl_in_q, ow_in_q, ogl_out_q, ow_out_q, obase_q, wrow_og_q} <= '0;
          if (desc_done) begin
            cnt_q   <= '0;
            state_q <= StPar;
          end
        end
        StPar: begin
          cnt_q <= cnt_q + 1;
          if (par_done) begin
            cnt_q     <= '0;
            t_q       <= '0;
            r_q       <= '0;
            cw_q      <= '0;
            ac_q      <= '0;
            in_aux_q  <= (d_ntapcw == '0);
            pos_t_q   <= '0;
            pos_q     <= '0;
            addr_t_q  <= '0;
            addr_q    <= '0;
            wrow_q    <= wrow_og_q;
            oaddr_t_q <= ow_out_q;
            state_q   <= StWork;
          end
        end
        StWork: begin
          if (r_last) begin
            r_q       <= '0;
            cw_q      <= '0;
            ac_q      <= '0;
            in_aux_q  <= (d_ntapcw == '0);
            t_q       <= t_q + 1;
            pos_t_q   <= pos_t_q + d_stride;
            pos_q     <= pos_t_q + d_stride;
            addr_t_q  <= addr_t_q + d_astep_t;
            addr_q    <= addr_t_q + d_astep_t;
            wrow_q    <= wrow_og_q;
            oaddr_t_q <= oaddr_t_q + d_cwo;
            if (t_last) begin
              wrow_og_q <= wrow_q + 1;
              cnt_q     <= '0;
              state_q   <= StDrain;
            end
          end else begin
            r_q    <= r_q + 1;
            wrow_q <= wrow_q + 1;
            addr_q <= addr_q + d_astep_c;
            if (in_aux_q) begin
              ac_q <= ac_q + 1;
            end else if (main_last) begin
              in_aux_q <= 1'b1;
            end else begin
              cw_q <= cw_q + 1;
              if (cw_last) begin
                cw_q  <= '0;
                pos_q <= pos_q + 1;
              end
            end
          end
        end
        StDrain: begin
          cnt_q <= cnt_q + 1;
          if (drain_done) begin
            cnt_q   <= '0;
            og_q    <= og_q + 1;
            obase_q <= obase_q + 16'(Pe);
            if (ogl_in_q + 16'd1 == d_gin) begin
              ogl_in_q <= '0;
              ow_in_q  <= ow_in_q + 1;
            end else begin
              ogl_in_q <= ogl_in_q + 1;
            end
            if (ogl_out_q + 16'd1 == d_gout) begin
              ogl_out_q <= '0;
              ow_out_q  <= ow_out_q + 1;
            end else begin
              ogl_out_q <= ogl_out_q + 1;
            end
            if (!og_last) begin
              state_q <= StPar;
            end else if (last_pass) begin
              state_q <= StOut;
            end else begin
              pass_q   <= pass_q + 1;
              in_sel_q <= ~in_sel_q;
              state_q  <= StDesc;
            end
          end
        end
        StOut: begin
          if (out_hs) begin
            beats_q    <= beats_q + 1;
            cyc_last_q <= cyc_q + 1;
            state_q    <= StLoad;
          end
        end
        default: state_q <= StLoad;
      endcase
    end
  end

  // ---------------------------------------------------------------------------------------
  // Descriptor and parameter memories (load port writes, sequencer reads)
  logic [15:0]   desc_rdata;
  logic [ParW-1:0] par_rdata;
  logic [DAw-1:0] desc_raddr;
  assign desc_raddr = {pass_q[DAw-seq_hw_pkg::DescAwF-1:0], cnt_q[seq_hw_pkg::DescAwF-1:0]};

  prim_ram #(.Width(16), .Depth(DescDepth * 32)) u_desc (
    .clk_i   (clk_i),
    .we_i    (reg_we_i && reg_region == seq_hw_pkg::RegionDesc),
    .waddr_i (reg_addr_i[DAw-1:0]),
    .wdata_i (reg_wdata_i[15:0]),
    .wmask_i ('1),
    .re_i    (state_q == StDesc),
    .raddr_i (desc_raddr),
    .rdata_o (desc_rdata)
  );

  logic [15:0] par_raddr;
  assign par_raddr = d_pbase + obase_q + cnt_q;  // entry of channel og * Pe + cnt
  prim_ram #(.Width(ParW), .Depth(ParDepth)) u_par (
    .clk_i   (clk_i),
    .we_i    (reg_we_i && reg_region == seq_hw_pkg::RegionPar),
    .waddr_i (reg_addr_i[PAw:1]),
    .wdata_i (reg_addr_i[0] ? {reg_wdata_i[ParW-PABits-1:0], PABits'(0)}
                            : {(ParW-PABits)'(0), reg_wdata_i[PABits-1:0]}),
    .wmask_i (reg_addr_i[0] ? {{(ParW-PABits){1'b1}}, PABits'(0)}
                            : {(ParW-PABits)'(0), {PABits{1'b1}}}),
    .re_i    (state_q == StPar),
    .raddr_i (par_raddr[PAw-1:0]),
    .rdata_o (par_rdata)
  );

  // Field f (read in cycle f of Desc) lands in cycle f + 1; PE p's parameters likewise in
  // cycle p + 1 of Par. One enable per register: no shift chain for synthesis to unroll.
  for (genvar f = 0; f < NumDf; f++) begin : g_desc_reg
    always_ff @(posedge clk_i) begin
      if (state_q == StDesc && cnt_q == 16'(f + 1)) desc_q[f*16 +: 16] <= desc_rdata;
    end
  end
  for (genvar p = 0; p < Pe; p++) begin : g_par_reg
    always_ff @(posedge clk_i) begin
      if (state_q == StPar && cnt_q == 16'(p + 1)) par_q[p*ParW +: ParW] <= par_rdata;
    end
  end

  // Weight rows: the load port writes 32-bit slices of a row.
  logic [WRow-1:0] wrow_rdata;
  logic [15:0]     wrow_raddr;
  logic [NSlice*32-1:0] wld_data, wld_mask;
  assign wrow_raddr = d_wbase + wrow_q;
  always_comb begin
    wld_data = '0;
    wld_mask = '0;
    for (int unsigned s = 0; s < NSlice; s++) begin
      wld_data[s*32 +: 32] = reg_wdata_i;
      if (NSlice == 1 || reg_addr_i[SliceW-1:0] == SliceW'(s)) wld_mask[s*32 +: 32] = '1;
    end
  end
  // Above HugeBits (more than half the UP5K's 30 EBR) the rows go to single-port SPRAM: the
  // load port writes them only while the engine is stopped, so one address suffices.
  logic wgt_we;
  assign wgt_we = reg_we_i && reg_region == seq_hw_pkg::RegionWgt;
  prim_ram #(.Width(WRow), .Depth(WgtRows), .Huge((WgtRows * WRow > HugeBits) ? 1 : 0)) u_wgt (
    .clk_i   (clk_i),
    .we_i    (wgt_we),
    .waddr_i (reg_addr_i[SliceW +: WAw]),
    .wdata_i (wld_data[WRow-1:0]),
    .wmask_i (wld_mask[WRow-1:0]),
    .re_i    (state_q == StWork),
    .raddr_i (wrow_raddr[WAw-1:0]),
    .rdata_o (wrow_rdata)
  );

  // ---------------------------------------------------------------------------------------
  // Activation buffers A/B and the aux registers
  logic [15:0] pos_abs, act_raddr;
  assign pos_abs   = d_pos0 + pos_q;
  assign act_raddr = d_addr0 + (d_lanewise ? ow_in_q : 16'd0) + addr_q;  // lane-wise: its word

  logic [Aw-1:0] a_rdata, b_rdata, wb_data, wb_mask;
  logic          wb_we;
  logic [15:0]   wb_addr;
  logic          ld_sample;
  assign ld_sample = in_hs && (ld_cnt_q < in_len_q);

  prim_ram #(.Width(Aw), .Depth(ActDepthA)) u_act_a (
    .clk_i   (clk_i),
    .we_i    (ld_sample || (wb_we && in_sel_q)),
    .waddr_i (ld_sample ? ld_cnt_q[AAw-1:0] : wb_addr[AAw-1:0]),
    .wdata_i (ld_sample ? Aw'(in_data_i[ABits-1:0]) : wb_data),
    .wmask_i (ld_sample ? {Aw{1'b1}} : wb_mask),
    .re_i    (state_q == StWork && !in_sel_q),
    .raddr_i (act_raddr[AAw-1:0]),
    .rdata_o (a_rdata)
  );
  prim_ram #(.Width(Aw), .Depth(ActDepthB)) u_act_b (
    .clk_i   (clk_i),
    .we_i    (wb_we && !in_sel_q),
    .waddr_i (wb_addr[BAw-1:0]),
    .wdata_i (wb_data),
    .wmask_i (wb_mask),
    .re_i    (state_q == StWork && in_sel_q),
    .raddr_i (act_raddr[BAw-1:0]),
    .rdata_o (b_rdata)
  );

  // Aux values (AuxDepth x ABits registers) and their chunk words.
  logic [ABits-1:0]      aux_q [AuxDepth];
  logic [15:0]           aux_idx;
  logic [NAuxW*Aw-1:0]   aux_words;
  assign aux_idx = ld_cnt_q - in_len_q;
  for (genvar i = 0; i < AuxDepth; i++) begin : g_aux
    always_ff @(posedge clk_i) begin
      if (in_hs && !ld_sample && aux_idx == 16'(i)) aux_q[i] <= in_data_i[ABits-1:0];
    end
  end
  always_comb begin
    aux_words = '0;
    for (int unsigned i = 0; i < AuxDepth; i++) aux_words[i*ABits +: ABits] = aux_q[i];
  end

  // ---------------------------------------------------------------------------------------
  // S0 -> S1
  logic          s1_valid_q, s1_first_q, s1_last_q, s1_inb_q, s1_aux_q;
  logic [15:0]   s1_ac_q, s1_oaddr_q;
  logic [CntW-1:0] s1_nvalid_q;
  logic [CntW-1:0] nvalid_d;
  logic          inb_d;

  assign inb_d = in_aux_q || (!pos_abs[15] && $signed(pos_abs) < $signed(d_lin));
  always_comb begin
    if (in_aux_q)     nvalid_d = r_last ? CntW'(d_aux_cnt) : CntW'(Simd);
    else if (cw_last) nvalid_d = CntW'(d_last_cnt);
    else              nvalid_d = d_bin_in ? CntW'(XL) : CntW'(Simd);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
    end else begin
      s1_valid_q <= (state_q == StWork);
    end
  end
  always_ff @(posedge clk_i) begin
    s1_first_q  <= (r_q == '0);
    s1_last_q   <= r_last;
    s1_inb_q    <= inb_d;
    s1_aux_q    <= in_aux_q;
    s1_ac_q     <= ac_q;
    s1_oaddr_q  <= oaddr_t_q;
    s1_nvalid_q <= nvalid_d;
  end

  // S1: operand word (buffer, aux chunk or padding) -> PEs
  logic [Aw-1:0] act_word, pad_word, aux_word;
  always_comb begin
    aux_word = '0;
    for (int unsigned c = 0; c < NAuxW; c++) begin
      if (s1_ac_q == 16'(c)) aux_word = aux_words[c*Aw +: Aw];
    end
    for (int unsigned s = 0; s < Simd; s++) pad_word[s*ABits +: ABits] = d_padval[ABits-1:0];
    if (d_bin_in) pad_word = {Aw{d_padval[0]}};  // bits above XL are never used
    if (s1_aux_q)      act_word = aux_word;
    else if (s1_inb_q) act_word = in_sel_q ? b_rdata : a_rdata;
    else               act_word = pad_word;
  end

  logic [AccBits-1:0] psum [Pe];
  logic [SelW-1:0]    sel;
  assign sel = ogl_in_q[SelW-1:0];
  for (genvar p = 0; p < Pe; p++) begin : g_pe
    seq_mac_pe #(
      .Simd    (Simd),
      .ABits   (ABits),
      .WBits   (WBits),
      .MacKind (MacKind),
      .Pe      (Pe),
      .PeIdx   (p),
      .AccBits (AccBits),
      .XnorLanes (XL)
    ) u_pe (
      .lanewise_i (d_pick),
      .bin_i      (d_bin_in),
      .intw_i     (d_intw),
      .signed_i   (d_signed),
      .nvalid_i   (s1_nvalid_q),
      .sel_i      (sel),
      .act_i      (act_word),
      .w_i        (wrow_rdata[p*WLane +: WLane]),
      .psum_o     (psum[p])
    );
  end

  // S1 -> S2
  logic               s2_valid_q, s2_first_q, s2_last_q, s2_en_q;
  logic [15:0]        s2_oaddr_q;
  logic [AccBits-1:0] psum_q [Pe];
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) s2_valid_q <= 1'b0;
    else         s2_valid_q <= s1_valid_q;
  end
  always_ff @(posedge clk_i) begin
    s2_first_q <= s1_first_q;
    s2_last_q  <= s1_last_q;
    s2_en_q    <= s1_inb_q || d_op != seq_hw_pkg::OpMax;  // maxpool ignores padded taps
    s2_oaddr_q <= s1_oaddr_q;
    for (int unsigned p = 0; p < Pe; p++) psum_q[p] <= psum[p];
  end

  // S2: accumulate over the chunks.
  logic [AccBits-1:0] acc_q [Pe];
  for (genvar p = 0; p < Pe; p++) begin : g_acc
    logic [AccBits-1:0] init, prev;
    assign init = (d_op == seq_hw_pkg::OpMax) ? {1'b1, (AccBits-1)'(0)} :
                  d_has_bias ? AccBits'($signed(par_q[p*ParW +: PABits])) : '0;
    assign prev = s2_first_q ? init : acc_q[p];
    always_ff @(posedge clk_i) begin
      if (s2_valid_q) begin
        if (d_op == seq_hw_pkg::OpMax) begin
          acc_q[p] <= (s2_en_q && $signed(psum_q[p]) > $signed(prev)) ? psum_q[p] : prev;
        end else begin
          acc_q[p] <= prev + psum_q[p];
        end
      end
    end
  end

  // S2 -> S3 .. S6: the write-back pipeline (prim_wb: 3 registers, then the clamp in S6).
  localparam int unsigned NWb = Drain - 2;  // S3 .. S6
  logic [NWb-1:0] wbv_q;
  logic [15:0]    wba_q [NWb];
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wbv_q <= '0;
    end else begin
      wbv_q <= {wbv_q[NWb-2:0], s2_valid_q && s2_last_q};
    end
  end
  always_ff @(posedge clk_i) begin
    wba_q[0] <= s2_oaddr_q;
    for (int unsigned i = 1; i < NWb; i++) wba_q[i] <= wba_q[i-1];
  end
  logic        wbl_valid;   // S6: the group's outputs are written
  logic [15:0] wbl_oaddr;
  assign wbl_valid = wbv_q[NWb-1];
  assign wbl_oaddr = wba_q[NWb-1];

  // S3 .. S6: write-back units (requant / threshold), one per PE.
  logic [AccBits-1:0] y [Pe];
  logic [Pe-1:0]      ch_ok;
  for (genvar p = 0; p < Pe; p++) begin : g_wb
    logic [ParW-1:0] pe_par;
    assign pe_par = par_q[p*ParW +: ParW];
    prim_wb #(
      .XBits    (AccBits),
      .MultBits (MBits),
      .ThrBits  (PABits),
      .OutBits  (AccBits)
    ) u_wb (
      .clk_i   (clk_i),
      .ew_i    (d_ew),
      .x_i     (acc_q[p]),
      .mult_i  (pe_par[PABits +: MBits]),
      .shift_i (pe_par[PABits + MBits +: 5]),
      .thr_i   (pe_par[PABits-1:0]),
      .dir_i   (pe_par[ParW-1]),
      .lo_i    (AccBits'($signed(d_lo))),
      .hi_i    (AccBits'($signed(d_hi))),
      .y_o     (y[p])
    );
    assign ch_ok[p] = !og_last || 16'(p) < d_cout_last;
  end

  // S6: masked write of the group's Pe outputs into its lanes of the output word.
  always_comb begin
    wb_data = '0;
    wb_mask = '0;
    if (d_bin_out) begin
      for (int unsigned b = 0; b < XL; b++) begin
        wb_data[b] = ~y[b % Pe][AccBits-1];  // +1 -> 1, -1 -> 0
        wb_mask[b] = (16'(b / Pe) == ogl_out_q) && ch_ok[b % Pe];
      end
    end else begin
      for (int unsigned l = 0; l < Simd; l++) begin
        wb_data[l*ABits +: ABits] = y[l % Pe][ABits-1:0];
        wb_mask[l*ABits +: ABits] = {ABits{(16'(l / Pe) == ogl_out_q) && ch_ok[l % Pe]}};
      end
    end
  end
  assign wb_we   = wbl_valid;
  assign wb_addr = wbl_oaddr;

  // Argmax over the last pass's outputs (first index of the maximum), in output order.
  logic [AccBits-1:0] logits_q [MaxClasses];
  logic [AccBits-1:0] best_val_q, best_val_d;
  logic [ClsAw-1:0]   best_idx_q, best_idx_d;
  logic               logit_we;
  assign logit_we = wbl_valid && last_pass;

  always_comb begin
    best_val_d = best_val_q;
    best_idx_d = best_idx_q;
    // Class obase + p, compared against constants (no adder on the 16-bit counter).
    for (int unsigned p = 0; p < Pe; p++) begin
      if (ch_ok[p] && p < MaxClasses && obase_q < 16'(MaxClasses - p) &&
          ((p == 0 && obase_q == '0) || $signed(y[p]) > $signed(best_val_d))) begin
        best_val_d = y[p];
        best_idx_d = ClsAw'(obase_q) + ClsAw'(p);
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (logit_we) begin
      best_val_q <= best_val_d;
      best_idx_q <= best_idx_d;
    end
  end
  for (genvar c = 0; c < MaxClasses; c++) begin : g_logit
    logic hit;
    always_comb begin
      hit = 1'b0;
      for (int unsigned p = 0; p < Pe; p++) begin
        if (p <= c && ch_ok[p] && obase_q == 16'(c - p)) hit = 1'b1;
      end
    end
    logic [AccBits-1:0] val;
    always_comb begin
      val = logits_q[c];
      for (int unsigned p = 0; p < Pe; p++) begin
        if (p <= c && obase_q == 16'(c - p)) val = y[p];
      end
    end
    always_ff @(posedge clk_i) begin
      if (logit_we && hit) logits_q[c] <= val;
    end
    assign out_logits_o[c*32 +: 32] = 32'($signed(logits_q[c]));
  end
  assign out_class_o = 8'(best_idx_q);

  // Address bits above each memory's depth are zero by construction (the loader checks).
  logic unused;
  assign unused = ^{act_raddr, wrow_raddr, par_raddr, wb_addr, pos_abs[14:0], ld_cnt_q,
                    aux_idx, reg_addr_i, d_padval, og_q, ow_in_q, ow_out_q, d_gin,
                    d_astep_c, s1_oaddr_q, in_data_i, d_last_cnt, d_aux_cnt, wld_data, wld_mask};
endmodule
