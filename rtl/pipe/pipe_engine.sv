// Line-buffer layer pipeline (`pipe`, docs/engines.md): NumStages pipe_stage modules in a
// chain, one per pass layer of the network (conv1d + requant, depthwise conv1d + requant,
// maxpool, dense + requant), each with its own MAC array, line buffer, weight and parameter
// RAMs and controller, connected by 8-bit value streams: a stage writes its output column
// value by value into the next stage's line buffer. Beats overlap: a stage takes the next
// beat's columns as soon as its line buffer has room.
//
// The stages' sizes are parameters generated from the network (the Stage* vectors, 8 bits per
// stage, stage s at [8s +: 8]; defaults: the 13 stages of dwsep): kind, input and output
// channels, kernel (dense: input columns), aux values. Each stage's weight RAM has exactly the
// rows its layer needs at this Pe x Simd; a weight RAM above HugeBits goes to SPRAM.
//
// Input unit: the stream delivers L samples (one input column each) into stage 0, then A aux
// values; the aux vector of a beat goes into a FIFO read by the stage whose descriptor has
// CtrlHasAux (the dense layer after concat_aux). Output: the last stage's column (32-bit
// logits) is collected into the result word with the first-max argmax of the first NClasses
// logits, valid until taken.
module pipe_engine #(
  parameter int unsigned Pe           = 1,
  parameter int unsigned Simd         = 1,
  parameter int unsigned NumStages    = 13,
  parameter logic [NumStages*8-1:0] StageKind =
      {8'd0, 8'd0, 8'd2, 8'd0, 8'd1, 8'd2, 8'd0, 8'd1, 8'd2, 8'd0, 8'd1, 8'd2, 8'd0},
  parameter logic [NumStages*8-1:0] StageCin =
      {8'd32, 8'd32, 8'd32, 8'd32, 8'd32, 8'd32, 8'd32, 8'd32, 8'd32, 8'd16, 8'd16, 8'd16, 8'd1},
  parameter logic [NumStages*8-1:0] StageCout =
      {8'd5, 8'd32, 8'd32, 8'd32, 8'd32, 8'd32, 8'd32, 8'd32, 8'd32, 8'd32, 8'd16, 8'd16, 8'd16},
  parameter logic [NumStages*8-1:0] StageK =
      {8'd1, 8'd8, 8'd2, 8'd1, 8'd5, 8'd2, 8'd1, 8'd5, 8'd2, 8'd1, 8'd5, 8'd2, 8'd7},
  parameter logic [NumStages*8-1:0] StageAux =
      {8'd0, 8'd4, 8'd0, 8'd0, 8'd0, 8'd0, 8'd0, 8'd0, 8'd0, 8'd0, 8'd0, 8'd0, 8'd0},
  parameter int unsigned LbCols       = 8,
  parameter int unsigned HugeBits     = 4096,   // weight RAMs above one iCE40 EBR go to SPRAM
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
  // register / load port (writes: CSR, stage descriptors, weights, parameters; reads: CSR,
  // stage hardware info)
  input  logic                       reg_we_i,
  input  logic [31:0]                reg_addr_i,
  input  logic [31:0]                reg_wdata_i,
  output logic [31:0]                reg_rdata_o
);
  localparam int unsigned AuxAw = $clog2(AuxDepth);
  localparam int unsigned ClsAw = $clog2(MaxClasses);
  localparam int unsigned AfCw  = $clog2(AuxFifoDepth + 1);

  // ---------------------------------------------------------------------------------------
  // Stage hardware (the generated per-stage sizes), readable through RegionInfo.
  logic [NumStages*7*16-1:0] info;  // field f of stage s at [(7s + f)*16 +: 16]

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
    end else if (reg_we_i && reg_addr_i[31:28] == pipe_pkg::RegionCsr) begin
      unique case (reg_addr_i[7:0])
        pipe_pkg::CsrCtrl:     enable_q  <= reg_wdata_i[0];
        pipe_pkg::CsrInLen:    in_len_q  <= reg_wdata_i;
        pipe_pkg::CsrAuxLen:   aux_len_q <= reg_wdata_i;
        pipe_pkg::CsrNClasses: ncls_q    <= reg_wdata_i;
        default: ;
      endcase
    end
  end

  always_comb begin
    unique case (reg_addr_i[7:0])
      pipe_pkg::CsrId:       reg_rdata_o = pipe_pkg::IdValue;
      pipe_pkg::CsrHwParams: reg_rdata_o = {8'd0, 8'(NumStages), 8'(Simd), 8'(Pe)};
      pipe_pkg::CsrLbCols:   reg_rdata_o = LbCols;
      pipe_pkg::CsrMaxC:     reg_rdata_o = 32;
      pipe_pkg::CsrCtrl:     reg_rdata_o = {31'd0, enable_q};
      pipe_pkg::CsrInLen:    reg_rdata_o = in_len_q;
      pipe_pkg::CsrAuxLen:   reg_rdata_o = aux_len_q;
      pipe_pkg::CsrNClasses: reg_rdata_o = ncls_q;
      pipe_pkg::CsrBeats:    reg_rdata_o = beats_q;
      pipe_pkg::CsrMaxClass: reg_rdata_o = MaxClasses;
      pipe_pkg::CsrAuxDepth: reg_rdata_o = AuxDepth;
      pipe_pkg::CsrWbIi:     reg_rdata_o = pipe_pkg::WbIi;
      default:               reg_rdata_o = '0;
    endcase
    if (reg_addr_i[31:28] == pipe_pkg::RegionInfo) begin
      reg_rdata_o = '0;
      for (int unsigned s = 0; s < NumStages; s++) begin
        for (int unsigned f = 0; f < 7; f++) begin
          if (32'(reg_addr_i[27:24]) == s && 32'(reg_addr_i[3:0]) == f) reg_rdata_o = 32'(info[(s*7 + f)*16 +: 16]);
        end
      end
    end else if (reg_addr_i[31:28] != pipe_pkg::RegionCsr) begin
      reg_rdata_o = '0;
    end
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
    for (int unsigned a = 0; a < AuxDepth; a++) begin
      aux_vec[a*8 +: 8] = (32'(ai) == a) ? in_data_i[7:0] : aux_asm_q[a];
    end
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
  // Stage chain: stage s writes its output values into stage s+1 (col_valid[s], col_data[s]);
  // col_ready[s] = stage s takes a new input column.
  logic [7:0]           col_data  [NumStages];
  logic [NumStages-1:0] col_valid, col_ready, aux_pops, st_busy;
  logic [15:0]          st_rx     [NumStages];
  logic [15:0]          st_col    [NumStages];
  logic                 res_valid_q, res_in_valid, res_in_last;
  logic [31:0]          res_in;

  assign st0_ready = col_ready[0];
  assign aux_pop   = |aux_pops;

  for (genvar s = 0; s < NumStages; s++) begin : g_stage
    localparam int unsigned Kind  = 32'(StageKind[s*8 +: 8]);
    localparam int unsigned Cin   = 32'(StageCin[s*8 +: 8]);
    localparam int unsigned Cout  = 32'(StageCout[s*8 +: 8]);
    localparam int unsigned K     = 32'(StageK[s*8 +: 8]);
    localparam int unsigned Aux   = 32'(StageAux[s*8 +: 8]);
    localparam int unsigned SimdS = (Kind == pipe_pkg::KindMac) ? Simd : 1;
    localparam int unsigned Nog   = (Cout + Pe - 1) / Pe;
    localparam int unsigned Rows  = (Kind == pipe_pkg::KindMac) ?
        Nog * (K * ((Cin + Simd - 1) / Simd) + (Aux + Simd - 1) / Simd) :
        (Kind == pipe_pkg::KindDw) ? Nog * K : 1;
    localparam int unsigned NLane = (Kind == pipe_pkg::KindMac) ? Pe * Simd : Pe;
    localparam int unsigned Huge  = (Rows * NLane * 8 > HugeBits) ? 1 : 0;
    // The last stage hands out 32-bit logits, the others UINT8 values.
    localparam int unsigned OutBits = (s == NumStages - 1) ? 32 : 8;

    assign info[(s*7 + 0)*16 +: 16] = 16'(Kind);
    assign info[(s*7 + 1)*16 +: 16] = 16'(Pe);
    assign info[(s*7 + 2)*16 +: 16] = 16'(SimdS);
    assign info[(s*7 + 3)*16 +: 16] = 16'(Cin);
    assign info[(s*7 + 4)*16 +: 16] = 16'(Cout);
    assign info[(s*7 + 5)*16 +: 16] = 16'(Rows);
    assign info[(s*7 + 6)*16 +: 16] = 16'(LbCols);

    logic                in_valid, out_ready, out_valid, out_last;
    logic [7:0]          in_data;
    logic [OutBits-1:0]  out_data;
    if (s == 0) begin : g_first
      assign in_valid = in_valid_i && enable_q && is_sample;
      assign in_data  = in_data_i[7:0];
    end else begin : g_next
      assign in_valid = col_valid[s-1];
      assign in_data  = col_data[s-1];
    end
    if (s == NumStages - 1) begin : g_last
      assign out_ready    = !res_valid_q;
      assign res_in_valid = out_valid;
      assign res_in_last  = out_last;
      assign res_in       = 32'(out_data);
      assign col_data[s]  = '0;
      assign col_valid[s] = 1'b0;
    end else begin : g_mid
      assign out_ready    = col_ready[s+1];
      assign col_valid[s] = out_valid;
      assign col_data[s]  = 8'(out_data);
      logic unused_last;
      assign unused_last = out_last;
    end
    pipe_stage #(
      .Kind (Kind), .Pe (Pe), .Simd (SimdS), .MaxCin (Cin), .MaxCout (Cout), .WgtRows (Rows),
      .WgtHuge (Huge), .LbCols (LbCols), .AuxDepth (AuxDepth), .OutBits (OutBits)
    ) u_stage (
      .clk_i       (clk_i),
      .rst_ni      (rst_ni),
      .stage_i     (4'(s)),
      .reg_we_i    (reg_we_i),
      .reg_addr_i  (reg_addr_i),
      .reg_wdata_i (reg_wdata_i),
      .in_valid_i  (in_valid),
      .in_ready_o  (col_ready[s]),
      .in_data_i   (in_data),
      .aux_valid_i (auxf_rvalid),
      .aux_i       (aux_head),
      .aux_pop_o   (aux_pops[s]),
      .out_ready_i (out_ready),
      .out_valid_o (out_valid),
      .out_data_o  (out_data),
      .out_last_o  (out_last),
      .rx_o        (st_rx[s]),
      .col_o       (st_col[s]),
      .busy_o      (st_busy[s])
    );
  end

  // ---------------------------------------------------------------------------------------
  // Result: logits collected as the last stage hands them out, first-max argmax on the way.
  logic [31:0]      res_q [MaxClasses];
  logic [ClsAw-1:0] rc_q, best_q;
  logic [31:0]      bestv_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      res_valid_q <= 1'b0;
      rc_q        <= '0;
      best_q      <= '0;
      bestv_q     <= '0;
      beats_q     <= '0;
    end else begin
      if (res_in_valid) begin
        if (rc_q == '0 || (32'(rc_q) < ncls_q && $signed(res_in) > $signed(bestv_q))) begin
          best_q  <= rc_q;
          bestv_q <= res_in;
        end
        rc_q <= res_in_last ? '0 : rc_q + 1'b1;
        if (res_in_last) res_valid_q <= 1'b1;
      end
      if (out_valid_o && out_ready_i) begin
        res_valid_q <= 1'b0;
        beats_q     <= beats_q + 1;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (res_in_valid) res_q[rc_q] <= res_in;
  end

  assign out_valid_o = res_valid_q;
  assign out_class_o = 8'(best_q);
  for (genvar c = 0; c < MaxClasses; c++) begin : g_logit
    assign out_logits_o[c*32 +: 32] = res_q[c];
  end

  // Observation only (waveforms): stage activity and FIFO fill.
  logic unused;
  assign unused = ^{st_busy, auxf_depth, col_data[NumStages-1], col_valid[NumStages-1],
                    in_data_i[31:8]};
  logic [15:0] unused_obs;
  always_comb begin
    unused_obs = '0;
    for (int unsigned s = 0; s < NumStages; s++) unused_obs = unused_obs ^ st_rx[s] ^ st_col[s];
  end

endmodule
