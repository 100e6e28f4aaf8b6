// Line-buffer layer pipeline (`pipe`, docs/engines.md): NumStages pipe_stage modules in a
// chain, one per pass layer of the network (conv1d + requant, maxpool, dense + requant),
// each with its own Pe x Simd MAC array, line buffer and controller, connected by
// valid/ready column streams. Beats overlap: a stage takes the next beat's columns as soon
// as its line buffer has room.
//
// Input unit: the stream delivers L samples (one column each: one input channel) into
// stage 0, then A aux values; the aux vector of a beat goes into a FIFO read by the stage
// whose descriptor has CtrlHasAux (the dense layer after concat_aux). An aux value is
// accepted while that FIFO has room. Output: the last stage's column (32-bit logits) is
// the result word with the first-max argmax of the first NClasses logits, valid until
// taken.
module pipe_engine import pipe_pkg::*; #(
  parameter int unsigned Pe           = 8,
  parameter int unsigned Simd         = 8,
  parameter int unsigned NumStages    = 13,
  parameter int unsigned MaxC         = 32,
  parameter int unsigned LbCols       = 8,
  parameter int unsigned WgtRows      = 256,
  parameter int unsigned ParDepth     = 8,
  parameter int unsigned AuxDepth     = 8,
  parameter int unsigned AuxFifoDepth = 4,
  parameter int unsigned MaxClasses   = 8
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  // beat samples in (L samples, then A aux values)
  input  logic                       in_valid_i,
  output logic                       in_ready_o,
  input  logic [31:0]                in_data_i,
  // result out: predicted class and logits (logit c in bits [32c +: 32])
  output logic                       out_valid_o,
  input  logic                       out_ready_i,
  output logic [7:0]                 out_class_o,
  output logic [MaxClasses*32-1:0]   out_logits_o,
  // register / load port (writes: CSR, stage descriptors, weights, parameters; reads: CSR)
  input  logic                       reg_we_i,
  input  logic [31:0]                reg_addr_i,
  input  logic [31:0]                reg_wdata_i,
  output logic [31:0]                reg_rdata_o
);
  localparam int unsigned AuxAw = $clog2(AuxDepth);
  localparam int unsigned ClsAw = $clog2(MaxClasses);
  localparam int unsigned AfCw  = $clog2(AuxFifoDepth + 1);

  // ---------------------------------------------------------------------------------------
  // CSR block
  logic        enable_q;
  logic [31:0] in_len_q, aux_len_q, ncls_q, beats_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      enable_q  <= 1'b0;
      in_len_q  <= '0;
      aux_len_q <= '0;
      ncls_q    <= '0;
    end else if (reg_we_i && reg_addr_i[31:28] == RegionCsr) begin
      unique case (reg_addr_i[7:0])
        CsrCtrl:     enable_q  <= reg_wdata_i[0];
        CsrInLen:    in_len_q  <= reg_wdata_i;
        CsrAuxLen:   aux_len_q <= reg_wdata_i;
        CsrNClasses: ncls_q    <= reg_wdata_i;
        default: ;
      endcase
    end
  end

  always_comb begin
    unique case (reg_addr_i[7:0])
      CsrId:       reg_rdata_o = IdValue;
      CsrHwParams: reg_rdata_o = {8'd0, 8'(NumStages), 8'(Simd), 8'(Pe)};
      CsrLbCols:   reg_rdata_o = LbCols;
      CsrWgtRows:  reg_rdata_o = WgtRows;
      CsrParDepth: reg_rdata_o = ParDepth;
      CsrMaxC:     reg_rdata_o = MaxC;
      CsrCtrl:     reg_rdata_o = {31'd0, enable_q};
      CsrInLen:    reg_rdata_o = in_len_q;
      CsrAuxLen:   reg_rdata_o = aux_len_q;
      CsrNClasses: reg_rdata_o = ncls_q;
      CsrBeats:    reg_rdata_o = beats_q;
      CsrMaxClass: reg_rdata_o = MaxClasses;
      CsrAuxDepth: reg_rdata_o = AuxDepth;
      default:     reg_rdata_o = '0;
    endcase
    if (reg_addr_i[31:28] != RegionCsr) reg_rdata_o = '0;
  end

  // ---------------------------------------------------------------------------------------
  // Input unit
  logic [31:0] ld_q;  // words of the current beat accepted
  logic        is_sample, ld_last, in_hs;
  logic        st0_ready, auxf_wready, auxf_rvalid, aux_pop;
  logic [7:0]  aux_asm_q [AuxDepth];
  logic [AuxDepth*8-1:0] aux_vec, aux_head;
  logic [AfCw-1:0] auxf_depth;

  assign is_sample  = ld_q < in_len_q;
  assign ld_last    = (ld_q + 1 == in_len_q + aux_len_q);
  assign in_ready_o = enable_q && (is_sample ? st0_ready : auxf_wready);
  assign in_hs      = in_valid_i && in_ready_o;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ld_q <= '0;
    end else if (in_hs) begin
      ld_q <= ld_last ? '0 : ld_q + 1;
    end
  end

  // The aux vector: values before the last one are collected, the last completes it.
  always_comb begin
    logic [AuxAw-1:0] ai;
    ai = AuxAw'(ld_q - in_len_q);
    for (int unsigned a = 0; a < AuxDepth; a++) aux_vec[a*8 +: 8] = aux_asm_q[a];
    aux_vec[ai[AuxAw-1:0]*8 +: 8] = in_data_i[7:0];
  end

  always_ff @(posedge clk_i) begin
    if (in_hs && !is_sample) begin
      for (int unsigned a = 0; a < AuxDepth; a++) aux_asm_q[a] <= aux_vec[a*8 +: 8];
    end
  end

  prim_fifo_sync #(
    .Width (AuxDepth * 8),
    .Depth (AuxFifoDepth)
  ) u_aux_fifo (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clr_i    (1'b0),
    .wvalid_i (in_hs && !is_sample && ld_last),
    .wready_o (auxf_wready),
    .wdata_i  (aux_vec),
    .rvalid_o (auxf_rvalid),
    .rready_i (aux_pop),
    .rdata_o  (aux_head),
    .depth_o  (auxf_depth)
  );

  // ---------------------------------------------------------------------------------------
  // Stage chain
  logic [MaxC*8-1:0]   col     [NumStages];  // output column of stage s (UINT8 channels)
  logic [NumStages-1:0] col_valid, col_ready, aux_pops, st_busy;
  logic [31:0]         st_rx   [NumStages];  // line-buffer write pointers (columns received)
  logic [31:0]         st_col  [NumStages];  // output column being computed
  logic [MaxC*32-1:0]  res_col;              // last stage: 32-bit logits

  assign st0_ready = col_ready[0];
  assign aux_pop   = |aux_pops;

  for (genvar s = 0; s < NumStages; s++) begin : g_stage
    // The last stage hands out 32-bit logits, the others UINT8 columns.
    localparam int unsigned OutBits = (s == NumStages - 1) ? 32 : 8;
    logic                      in_valid, in_ready, out_valid, out_ready;
    logic [MaxC*8-1:0]         in_col;
    logic [MaxC*OutBits-1:0]   out_col;
    if (s == 0) begin : g_first
      assign in_valid = in_valid_i && enable_q && is_sample;
      assign in_col   = {{(MaxC-1)*8{1'b0}}, in_data_i[7:0]};
    end else begin : g_next
      assign in_valid = col_valid[s-1];
      assign in_col   = col[s-1];
    end
    assign col_ready[s] = in_ready;
    if (s == NumStages - 1) begin : g_last
      assign out_valid_o  = out_valid;
      assign out_ready    = out_ready_i;
      assign res_col      = out_col;
      assign col[s]       = '0;
      assign col_valid[s] = 1'b0;
    end else begin : g_mid
      assign col_valid[s] = out_valid;
      assign out_ready    = col_ready[s+1];
      assign col[s]       = out_col;
    end
    pipe_stage #(
      .Pe (Pe), .Simd (Simd), .MaxC (MaxC), .LbCols (LbCols), .WgtRows (WgtRows),
      .ParDepth (ParDepth), .AuxDepth (AuxDepth), .OutBits (OutBits)
    ) u_stage (
      .clk_i       (clk_i),
      .rst_ni      (rst_ni),
      .stage_i     (4'(s)),
      .reg_we_i    (reg_we_i),
      .reg_addr_i  (reg_addr_i),
      .reg_wdata_i (reg_wdata_i),
      .in_valid_i  (in_valid),
      .in_ready_o  (in_ready),
      .in_col_i    (in_col),
      .aux_valid_i (auxf_rvalid),
      .aux_i       (aux_head),
      .aux_pop_o   (aux_pops[s]),
      .out_valid_o (out_valid),
      .out_ready_i (out_ready),
      .out_col_o   (out_col),
      .rx_o        (st_rx[s]),
      .col_o       (st_col[s]),
      .busy_o      (st_busy[s])
    );
  end

  // ---------------------------------------------------------------------------------------
  // Result: logits and first-max argmax.
  logic [ClsAw-1:0] best;
  always_comb begin
    best = '0;
    for (int unsigned c = 1; c < MaxClasses; c++) begin
      if (c < ncls_q && $signed(res_col[c*32 +: 32]) > $signed(res_col[32*best +: 32])) begin
        best = ClsAw'(c);
      end
    end
  end
  assign out_class_o  = 8'(best);
  assign out_logits_o = res_col[MaxClasses*32-1:0];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) beats_q <= '0;
    else if (out_valid_o && out_ready_i) beats_q <= beats_q + 1;
  end

  // Observation only (waveforms): stage activity and FIFO fill.
  logic unused;
  assign unused = ^{st_busy, auxf_depth, col[NumStages-1], col_valid[NumStages-1], in_data_i[31:8]};
  logic [31:0] unused_obs;
  always_comb begin
    unused_obs = '0;
    for (int unsigned s = 0; s < NumStages; s++) unused_obs = unused_obs ^ st_rx[s] ^ st_col[s];
  end

endmodule
