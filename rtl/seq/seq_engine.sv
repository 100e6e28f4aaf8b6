// Layer-sequential engine (`seq`, docs/engines.md): one Pe x Simd MAC array iterated over the
// passes of a network, sequenced by a layer-descriptor table. Serves qrcnn (MacInt, 4-bit),
// bnn (MacXnor), int2kd (MacInt, 2-bit) and logq (MacPow2) networks; weights, per-channel
// parameters and descriptors are written at run time through the register/load port.
//
// Per beat: Load (one sample per accepted cycle: L input samples then A aux values) ->
// for each pass: Desc (1 cycle: descriptor into working registers) -> Work (one
// (t, output group, reduction chunk) step per cycle) -> Drain (1 cycle: the last step leaves
// the 2-stage datapath) -> Out (class + logits word, valid until accepted).
// Datapath: stage 1 reads Simd activations per PE, forms the lane products and reduces them;
// stage 2 accumulates over the chunks and, on the last chunk, writes the output through the
// fused element-wise unit (seq_wb) into the other activation buffer (ping-pong).
module seq_engine import seq_pkg::*; #(
  parameter int unsigned Pe         = 8,
  parameter int unsigned Simd       = 8,
  parameter int unsigned MacKind    = MacInt,
  parameter int unsigned WBits      = 4,
  parameter int unsigned ActDepth   = 16384,  // words per activation buffer (x2, ping-pong)
  parameter int unsigned WgtRows    = 1024,   // weight rows (Simd weights) per PE bank
  parameter int unsigned ParDepth   = 64,     // per-channel parameter entries per PE bank
  parameter int unsigned DescDepth  = 16,     // passes in the descriptor table
  parameter int unsigned AuxDepth   = 8,
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
  localparam int unsigned ActAw  = $clog2(ActDepth);
  localparam int unsigned WgtAw  = $clog2(WgtRows);
  localparam int unsigned ParAw  = $clog2(ParDepth);
  localparam int unsigned DescAw = $clog2(DescDepth);
  localparam int unsigned AuxAw  = $clog2(AuxDepth);
  localparam int unsigned ClsAw  = $clog2(MaxClasses);
  localparam int unsigned PeAw   = (Pe > 1) ? $clog2(Pe) : 1;

  typedef enum logic [2:0] {
    StLoad  = 3'd0,
    StDesc  = 3'd1,
    StWork  = 3'd2,
    StDrain = 3'd3,
    StOut   = 3'd4
  } state_e;

  // ---------------------------------------------------------------------------------------
  // Storage
  logic [31:0]            act_mem  [2][ActDepth];   // ping-pong activation buffers
  logic [31:0]            aux_q    [AuxDepth];
  logic [Simd*WBits-1:0]  wgt_mem  [Pe][WgtRows];   // banked by PE: row = Simd weights
  logic [31:0]            bias_mem [Pe][ParDepth];
  logic [31:0]            mult_mem [Pe][ParDepth];
  logic [5:0]             shift_mem[Pe][ParDepth];
  logic [31:0]            thr_mem  [Pe][ParDepth];
  logic                   dir_mem  [Pe][ParDepth];
  logic [31:0]            desc_mem [DescDepth][NumDf];

  // ---------------------------------------------------------------------------------------
  // CSR block
  logic        enable_q;
  logic [31:0] npass_q, in_len_q, aux_len_q, beats_q, cyc_q, cyc_last_q;
  state_e      state_q;
  logic [31:0] pass_q;

  logic [3:0] reg_region;
  assign reg_region = reg_addr_i[31:28];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      enable_q  <= 1'b0;
      npass_q   <= '0;
      in_len_q  <= '0;
      aux_len_q <= '0;
    end else if (reg_we_i && reg_region == RegionCsr) begin
      unique case (reg_addr_i[7:0])
        CsrCtrl:   enable_q  <= reg_wdata_i[0];
        CsrNPass:  npass_q   <= reg_wdata_i;
        CsrInLen:  in_len_q  <= reg_wdata_i;
        CsrAuxLen: aux_len_q <= reg_wdata_i;
        default: ;
      endcase
    end
  end

  always_comb begin
    unique case (reg_addr_i[7:0])
      CsrId:        reg_rdata_o = IdValue;
      CsrHwParams:  reg_rdata_o = {4'd0, 8'(WBits), 4'(MacKind), 8'(Simd), 8'(Pe)};
      CsrActDepth:  reg_rdata_o = ActDepth;
      CsrWgtRows:   reg_rdata_o = WgtRows;
      CsrParDepth:  reg_rdata_o = ParDepth;
      CsrDescDepth: reg_rdata_o = DescDepth;
      CsrCtrl:      reg_rdata_o = {31'd0, enable_q};
      CsrNPass:     reg_rdata_o = npass_q;
      CsrInLen:     reg_rdata_o = in_len_q;
      CsrAuxLen:    reg_rdata_o = aux_len_q;
      CsrStatus:    reg_rdata_o = {16'd0, pass_q[7:0], 5'd0, state_q};
      CsrBeats:     reg_rdata_o = beats_q;
      CsrCycLast:   reg_rdata_o = cyc_last_q;
      CsrMaxClass:  reg_rdata_o = MaxClasses;
      default:      reg_rdata_o = '0;
    endcase
    if (reg_region != RegionCsr) reg_rdata_o = '0;
  end

  // Table loads (descriptors, weights, parameters).
  logic [5:0]  ld_bank;
  logic [15:0] ld_row;
  logic [5:0]  ld_lane;
  logic [2:0]  ld_field;
  logic [15:0] ld_index;
  assign ld_bank  = reg_addr_i[27:22];
  assign ld_row   = reg_addr_i[21:6];
  assign ld_lane  = reg_addr_i[5:0];
  assign ld_field = reg_addr_i[21:19];
  assign ld_index = reg_addr_i[15:0];

  always_ff @(posedge clk_i) begin
    if (reg_we_i && reg_region == RegionDesc &&
        32'(reg_addr_i[15:5]) < DescDepth && 32'(reg_addr_i[4:0]) < NumDf) begin
      desc_mem[reg_addr_i[5+DescAw-1:5]][reg_addr_i[4:0]] <= reg_wdata_i;
    end
    if (reg_we_i && reg_region == RegionWgt && 32'(ld_bank) < Pe && 32'(ld_row) < WgtRows &&
        32'(ld_lane) < Simd) begin
      wgt_mem[ld_bank[PeAw-1:0]][ld_row[WgtAw-1:0]][ld_lane*WBits +: WBits] <= reg_wdata_i[WBits-1:0];
    end
    if (reg_we_i && reg_region == RegionPar && 32'(ld_bank) < Pe && 32'(ld_index) < ParDepth) begin
      unique case (ld_field)
        ParBias:  bias_mem [ld_bank[PeAw-1:0]][ld_index[ParAw-1:0]] <= reg_wdata_i;
        ParMult:  mult_mem [ld_bank[PeAw-1:0]][ld_index[ParAw-1:0]] <= reg_wdata_i;
        ParShift: shift_mem[ld_bank[PeAw-1:0]][ld_index[ParAw-1:0]] <= reg_wdata_i[5:0];
        ParThr:   thr_mem  [ld_bank[PeAw-1:0]][ld_index[ParAw-1:0]] <= reg_wdata_i;
        ParDir:   dir_mem  [ld_bank[PeAw-1:0]][ld_index[ParAw-1:0]] <= reg_wdata_i[0];
        default: ;
      endcase
    end
  end

  // ---------------------------------------------------------------------------------------
  // Sequencer
  logic [31:0] d_ctrl, d_lin, d_cout, d_lout, d_k, d_stride, d_padl, d_padval, d_red;
  logic [31:0] d_cin_g, d_cout_g, d_nchunk, d_nog, d_wbase, d_pbase, d_lo, d_hi, d_aux_start;
  logic [31:0] t_q, og_q, r_q, ld_cnt_q;
  logic        in_sel_q;  // buffer the current pass reads; it writes the other one
  logic        last_pass;
  logic        step_last_r, step_last_og, step_last_t;

  assign last_pass    = (pass_q + 1 == npass_q);
  assign step_last_r  = (r_q + 1 == d_nchunk);
  assign step_last_og = (og_q + 1 == d_nog);
  assign step_last_t  = (t_q + 1 == d_lout);

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
      in_sel_q   <= 1'b0;
      t_q        <= '0;
      og_q       <= '0;
      r_q        <= '0;
      beats_q    <= '0;
      cyc_q      <= '0;
      cyc_last_q <= '0;
    end else begin
      // Cycles of the current beat: from its first accepted sample to its output handshake.
      if (state_q != StLoad || ld_cnt_q != '0) cyc_q <= cyc_q + 1;
      else if (in_hs)                          cyc_q <= 32'd1;
      unique case (state_q)
        StLoad: begin
          if (in_hs) begin
            ld_cnt_q <= ld_cnt_q + 1;
            if (ld_cnt_q + 1 == in_len_q + aux_len_q) begin
              ld_cnt_q <= '0;
              pass_q   <= '0;
              in_sel_q <= 1'b0;
              state_q  <= StDesc;
            end
          end
        end
        StDesc: begin
          t_q     <= '0;
          og_q    <= '0;
          r_q     <= '0;
          state_q <= StWork;
        end
        StWork: begin
          r_q <= r_q + 1;
          if (step_last_r) begin
            r_q  <= '0;
            og_q <= og_q + 1;
            if (step_last_og) begin
              og_q <= '0;
              t_q  <= t_q + 1;
              if (step_last_t) state_q <= StDrain;
            end
          end
        end
        StDrain: begin
          in_sel_q <= ~in_sel_q;
          if (last_pass) begin
            state_q <= StOut;
          end else begin
            pass_q  <= pass_q + 1;
            state_q <= StDesc;
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

  // Working copy of the current pass's descriptor.
  always_ff @(posedge clk_i) begin
    if (state_q == StDesc) begin
      d_ctrl      <= desc_mem[pass_q[DescAw-1:0]][DfCtrl];
      d_lin       <= desc_mem[pass_q[DescAw-1:0]][DfLin];
      d_cout      <= desc_mem[pass_q[DescAw-1:0]][DfCout];
      d_lout      <= desc_mem[pass_q[DescAw-1:0]][DfLout];
      d_k         <= desc_mem[pass_q[DescAw-1:0]][DfK];
      d_stride    <= desc_mem[pass_q[DescAw-1:0]][DfStride];
      d_padl      <= desc_mem[pass_q[DescAw-1:0]][DfPadL];
      d_padval    <= desc_mem[pass_q[DescAw-1:0]][DfPadVal];
      d_red       <= desc_mem[pass_q[DescAw-1:0]][DfRed];
      d_cin_g     <= desc_mem[pass_q[DescAw-1:0]][DfCinG];
      d_cout_g    <= desc_mem[pass_q[DescAw-1:0]][DfCoutG];
      d_nchunk    <= desc_mem[pass_q[DescAw-1:0]][DfNChunk];
      d_nog       <= desc_mem[pass_q[DescAw-1:0]][DfNOg];
      d_wbase     <= desc_mem[pass_q[DescAw-1:0]][DfWBase];
      d_pbase     <= desc_mem[pass_q[DescAw-1:0]][DfPBase];
      d_lo        <= desc_mem[pass_q[DescAw-1:0]][DfLo];
      d_hi        <= desc_mem[pass_q[DescAw-1:0]][DfHi];
      d_aux_start <= desc_mem[pass_q[DescAw-1:0]][DfAuxStart];
    end
  end

  logic [1:0] d_op, d_ew;
  assign d_op = d_ctrl[1:0];
  assign d_ew = d_ctrl[5:4];

  // ---------------------------------------------------------------------------------------
  // Stage 1: address generation, activation/weight reads, PE array.
  logic [Pe-1:0][Simd-1:0]        lane_en;
  logic [Pe-1:0][Simd-1:0][31:0]  lane_act;
  logic [Simd*WBits-1:0]          wrow [Pe];
  logic [31:0]                    psum [Pe];
  logic [31:0]                    wrow_addr;

  assign wrow_addr = d_wbase + og_q * d_nchunk + r_q;

  always_comb begin
    for (int unsigned p = 0; p < Pe; p++) begin
      logic [31:0] o, gbase;
      logic        o_ok;
      o     = og_q * Pe + p;
      o_ok  = o < d_cout;
      gbase = (o / d_cout_g) * d_cin_g;
      wrow[p] = wgt_mem[p][wrow_addr[WgtAw-1:0]];
      for (int unsigned s = 0; s < Simd; s++) begin
        logic [31:0] j, ch, kk, pos, addr;
        logic        j_ok, inb;
        j    = r_q * Simd + s;
        j_ok = j < d_red;
        if (d_ctrl[CtrlDw]) begin
          ch = o;
          kk = j;
        end else begin
          ch = gbase + j / d_k;
          kk = j % d_k;
        end
        pos  = t_q * d_stride + kk - d_padl;
        inb  = $signed(pos) >= 0 && $signed(pos) < $signed(d_lin);
        addr = ch * d_lin + pos;
        if (!inb) begin
          lane_act[p][s] = d_padval;
        end else if (d_ctrl[CtrlHasAux] && addr >= d_aux_start) begin
          lane_act[p][s] = aux_q[AuxAw'(addr - d_aux_start)];
        end else begin
          lane_act[p][s] = act_mem[in_sel_q][addr[ActAw-1:0]];
        end
        // maxpool ignores padded taps; conv uses the pad value
        lane_en[p][s] = j_ok && o_ok && (inb || d_op != OpMax);
      end
    end
  end

  for (genvar p = 0; p < Pe; p++) begin : g_pe
    seq_pe #(
      .Simd    (Simd),
      .MacKind (MacKind),
      .WBits   (WBits)
    ) u_pe (
      .op_i      (d_op),
      .bin_i     (d_ctrl[CtrlBin]),
      .intw_i    (d_ctrl[CtrlIntW]),
      .lane_en_i (lane_en[p]),
      .act_i     (lane_act[p]),
      .wrow_i    (wrow[p]),
      .psum_o    (psum[p])
    );
  end

  // Stage-1 -> stage-2 pipeline register.
  logic        s1_valid_q, s1_first_q, s1_last_q;
  logic [31:0] s1_og_q, s1_t_q;
  logic [31:0] psum_q [Pe];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s1_first_q <= 1'b0;
      s1_last_q  <= 1'b0;
      s1_og_q    <= '0;
      s1_t_q     <= '0;
    end else begin
      s1_valid_q <= (state_q == StWork);
      s1_first_q <= (r_q == '0);
      s1_last_q  <= step_last_r;
      s1_og_q    <= og_q;
      s1_t_q     <= t_q;
    end
  end

  always_ff @(posedge clk_i) begin
    for (int unsigned p = 0; p < Pe; p++) psum_q[p] <= psum[p];
  end

  // ---------------------------------------------------------------------------------------
  // Stage 2: accumulate over chunks; on the last chunk, element-wise write-back.
  logic [31:0] acc_q [Pe];
  logic [31:0] acc_d [Pe];
  logic [31:0] wb_y  [Pe];
  logic [31:0] o2    [Pe];
  logic [31:0] pidx;

  assign pidx = d_pbase + s1_og_q;

  // Table indices use their low bits only (the loader keeps them in range).
  logic unused_idx;
  assign unused_idx = ^{wrow_addr[31:WgtAw], pidx[31:ParAw]};

  for (genvar p = 0; p < Pe; p++) begin : g_wb
    logic [31:0] init, prev;
    assign o2[p] = s1_og_q * Pe + p;
    assign init  = (d_op == OpMax) ? 32'h8000_0000 :
                   d_ctrl[CtrlHasBias] ? bias_mem[p][pidx[ParAw-1:0]] : 32'd0;
    assign prev  = s1_first_q ? init : acc_q[p];
    assign acc_d[p] = (d_op == OpMax) ? (($signed(psum_q[p]) > $signed(prev)) ? psum_q[p] : prev)
                                      : prev + psum_q[p];
    seq_wb u_wb (
      .ew_i    (d_ew),
      .x_i     (acc_d[p]),
      .mult_i  (mult_mem[p][pidx[ParAw-1:0]]),
      .shift_i (shift_mem[p][pidx[ParAw-1:0]]),
      .thr_i   (thr_mem[p][pidx[ParAw-1:0]]),
      .dir_i   (dir_mem[p][pidx[ParAw-1:0]]),
      .lo_i    (d_lo),
      .hi_i    (d_hi),
      .y_o     (wb_y[p])
    );
  end

  always_ff @(posedge clk_i) begin
    if (s1_valid_q) begin
      for (int unsigned p = 0; p < Pe; p++) acc_q[p] <= acc_d[p];
    end
  end

  // Argmax over the last pass's outputs (first index of the maximum), in output order.
  logic [31:0]       best_val_q, best_val_d;
  logic [ClsAw-1:0]  best_idx_q, best_idx_d;
  logic [31:0]       logits_q [MaxClasses];

  always_comb begin
    best_val_d = best_val_q;
    best_idx_d = best_idx_q;
    for (int unsigned p = 0; p < Pe; p++) begin
      if (o2[p] < d_cout && o2[p] < MaxClasses &&
          (o2[p] == 0 || $signed(wb_y[p]) > $signed(best_val_d))) begin
        best_val_d = wb_y[p];
        best_idx_d = o2[p][ClsAw-1:0];
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (s1_valid_q && s1_last_q && last_pass) begin
      best_val_q <= best_val_d;
      best_idx_q <= best_idx_d;
      for (int unsigned p = 0; p < Pe; p++) begin
        if (o2[p] < d_cout && o2[p] < MaxClasses) logits_q[o2[p][ClsAw-1:0]] <= wb_y[p];
      end
    end
  end

  assign out_class_o = 8'(best_idx_q);
  for (genvar c = 0; c < MaxClasses; c++) begin : g_logit
    assign out_logits_o[c*32 +: 32] = logits_q[c];
  end

  // Activation buffers: the input load writes buffer 0 (aux values go to aux_q); the
  // write-back writes the buffer the current pass does not read.
  always_ff @(posedge clk_i) begin
    if (in_hs) begin
      if (ld_cnt_q < in_len_q) act_mem[0][ld_cnt_q[ActAw-1:0]] <= in_data_i;
      else                     aux_q[AuxAw'(ld_cnt_q - in_len_q)] <= in_data_i;
    end
    if (s1_valid_q && s1_last_q) begin
      for (int unsigned p = 0; p < Pe; p++) begin
        if (o2[p] < d_cout) begin
          act_mem[~in_sel_q][ActAw'(o2[p] * d_lout + s1_t_q)] <= wb_y[p];
        end
      end
    end
  end

endmodule
