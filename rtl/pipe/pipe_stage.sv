// One stage of the line-buffer layer pipeline (`pipe`, docs/engines.md): a conv1d (any
// groups, incl. depthwise and pointwise), a dense layer (a conv whose kernel is the whole
// input, optionally followed by the aux values) or a maxpool, with its fused requant.
// The layer shape, weights and per-channel parameters are written at run time through the
// register/load port (stage stage_i; a port, not a parameter, so that all stages with the
// same OutBits are one module); Pe, Simd and the buffer sizes are fixed here.
//
// Line buffer: a ring of LbCols input columns (all channels), of which SfLbUse are in use.
// Column n of the input stream is accepted when the ring holds fewer than SfLbUse columns at
// or after the oldest column still needed (the first tap of the output column being computed;
// during the last work cycle of a column, of the next one: the freed slot is written at the
// edge that ends the cycle of its last read).
// Compute: output column j starts when its last input column is in the ring
// (need(j) = clamp(j*stride + K-1 - pad_left, 0, Lin-1)), when fewer than 2 columns are started and not yet taken by the next stage
// (or one is taken in this cycle), and, for the stage reading the aux values, when the aux
// vector of the beat is there. It then takes ceil(Cout/Pe) * ceil(red/Simd) cycles, back to
// back with the next column. Datapath: stage 1 reads Simd activations per PE from the ring
// and forms one partial sum (seq_pe); stage 2 accumulates over the chunks and writes the
// requantized outputs of Pe channels into the column register; one cycle after the last
// work cycle the column goes into a 2-entry output FIFO (visible to the next stage a cycle
// later).
module pipe_stage import pipe_pkg::*; #(
  parameter int unsigned Pe       = 8,
  parameter int unsigned Simd     = 8,
  parameter int unsigned MaxC     = 32,
  parameter int unsigned LbCols   = 8,    // power of two
  parameter int unsigned WgtRows  = 256,
  parameter int unsigned ParDepth = 8,
  parameter int unsigned AuxDepth = 8,
  parameter int unsigned OutBits  = 8
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  input  logic [3:0]               stage_i,  // this stage's index on the load port
  // register / load port (this stage's descriptor, weights, parameters)
  input  logic                     reg_we_i,
  input  logic [31:0]              reg_addr_i,
  input  logic [31:0]              reg_wdata_i,
  // input columns (UINT8 per channel)
  input  logic                     in_valid_i,
  output logic                     in_ready_o,
  input  logic [MaxC*8-1:0]        in_col_i,
  // aux vector of the beat (UINT8 values), taken when the beat's first column starts
  input  logic                     aux_valid_i,
  input  logic [AuxDepth*8-1:0]    aux_i,
  output logic                     aux_pop_o,
  // output columns
  output logic                     out_valid_o,
  input  logic                     out_ready_i,
  output logic [MaxC*OutBits-1:0]  out_col_o,
  // observation: line-buffer write pointer (columns received), output column, busy
  output logic [31:0]              rx_o,
  output logic [31:0]              col_o,
  output logic                     busy_o
);
  // One C++ class for all instances (Verilator would inline 13 copies of the datapath).
  /* verilator no_inline_module */
  localparam int unsigned LbAw  = $clog2(LbCols);
  localparam int unsigned ChAw  = $clog2(MaxC);
  localparam int unsigned WgtAw = $clog2(WgtRows);
  localparam int unsigned ParAw = (ParDepth > 1) ? $clog2(ParDepth) : 1;
  localparam int unsigned AuxAw = $clog2(AuxDepth);
  localparam int unsigned PeAw  = (Pe > 1) ? $clog2(Pe) : 1;

  // ---------------------------------------------------------------------------------------
  // Storage and load port
  logic [31:0]          desc_q   [NumSf];
  logic [Simd*8-1:0]    wgt_mem  [Pe][WgtRows];
  logic [31:0]          bias_mem [Pe][ParDepth];
  logic [31:0]          mult_mem [Pe][ParDepth];
  logic [5:0]           shift_mem[Pe][ParDepth];
  logic [7:0]           lb_q     [LbCols][MaxC];

  logic        sel;
  logic [3:0]  ld_bank;
  logic [13:0] ld_row;
  logic [5:0]  ld_lane;
  logic [2:0]  ld_field;
  logic [15:0] ld_index;
  assign sel      = reg_we_i && reg_addr_i[27:24] == stage_i;
  assign ld_bank  = reg_addr_i[23:20];
  assign ld_row   = reg_addr_i[19:6];
  assign ld_lane  = reg_addr_i[5:0];
  assign ld_field = reg_addr_i[19:17];
  assign ld_index = reg_addr_i[15:0];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int unsigned f = 0; f < NumSf; f++) desc_q[f] <= '0;
    end else if (sel && reg_addr_i[31:28] == RegionDesc && 32'(reg_addr_i[4:0]) < NumSf) begin
      desc_q[reg_addr_i[4:0]] <= reg_wdata_i;
    end
  end

  always_ff @(posedge clk_i) begin
    if (sel && reg_addr_i[31:28] == RegionWgt && 32'(ld_bank) < Pe && 32'(ld_row) < WgtRows &&
        32'(ld_lane) < Simd) begin
      wgt_mem[ld_bank[PeAw-1:0]][ld_row[WgtAw-1:0]][ld_lane*8 +: 8] <= reg_wdata_i[7:0];
    end
    if (sel && reg_addr_i[31:28] == RegionPar && 32'(ld_bank) < Pe && 32'(ld_index) < ParDepth) begin
      unique case (ld_field)
        ParBias:  bias_mem [ld_bank[PeAw-1:0]][ld_index[ParAw-1:0]] <= reg_wdata_i;
        ParMult:  mult_mem [ld_bank[PeAw-1:0]][ld_index[ParAw-1:0]] <= reg_wdata_i;
        ParShift: shift_mem[ld_bank[PeAw-1:0]][ld_index[ParAw-1:0]] <= reg_wdata_i[5:0];
        default: ;
      endcase
    end
  end

  logic [31:0] d_ctrl, d_lin, d_cout, d_lout, d_k, d_stride, d_padl, d_padval, d_red;
  logic [31:0] d_cin_g, d_cout_g, d_nchunk, d_nog, d_lo, d_hi, d_aux_start, d_lbuse;
  assign d_ctrl      = desc_q[SfCtrl];
  assign d_lin       = desc_q[SfLin];
  assign d_cout      = desc_q[SfCout];
  assign d_lout      = desc_q[SfLout];
  assign d_k         = desc_q[SfK];
  assign d_stride    = desc_q[SfStride];
  assign d_padl      = desc_q[SfPadL];
  assign d_padval    = desc_q[SfPadVal];
  assign d_red       = desc_q[SfRed];
  assign d_cin_g     = desc_q[SfCinG];
  assign d_cout_g    = desc_q[SfCoutG];
  assign d_nchunk    = desc_q[SfNChunk];
  assign d_nog       = desc_q[SfNOg];
  assign d_lo        = desc_q[SfLo];
  assign d_hi        = desc_q[SfHi];
  assign d_aux_start = desc_q[SfAuxStart];
  assign d_lbuse     = desc_q[SfLbUse];

  logic is_max, is_dw, has_aux;
  assign is_max  = d_ctrl[CtrlMax];
  assign is_dw   = d_ctrl[CtrlDw];
  assign has_aux = d_ctrl[CtrlHasAux];

  // ---------------------------------------------------------------------------------------
  // Control: columns received (rx_q, global count; ring slot = low bits), column 0 of the
  // beat being computed (cbase_q, global), output column j_q, work step (og_q, r_q).
  logic [31:0] rx_q, cbase_q, j_q, og_q, r_q;
  logic        busy_q;
  logic [1:0]  occ_q;  // columns started and not yet taken by the next stage
  logic [7:0]  aux_q [AuxDepth];

  logic        col_last, avail, aux_need, start_ok, step, last_step, pop_now;
  logic        step_last_r, step_last_og;
  logic [31:0] need, oldest, lo_cur, lo_nxt;

  // First input column an output column reads (clamped at 0).
  function automatic logic [31:0] first_tap(logic [31:0] j, logic [31:0] stride,
                                            logic [31:0] padl);
    logic signed [31:0] v;
    v = $signed(j * stride) - $signed(padl);
    return (v < 0) ? 32'd0 : v;
  endfunction

  always_comb begin
    logic signed [31:0] nv;
    col_last = (j_q + 1 == d_lout);
    nv = $signed(j_q * d_stride + d_k - 1) - $signed(d_padl);
    if (nv > $signed(d_lin - 1)) need = d_lin - 1;
    else if (nv < 0)             need = '0;
    else                         need = nv;
    lo_cur = first_tap(j_q, d_stride, d_padl);
    lo_nxt = col_last ? d_lin : first_tap(j_q + 1, d_stride, d_padl);
  end

  assign pop_now      = out_valid_o && out_ready_i;
  // Signed: once a beat's last column is done, cbase_q moves to the next beat, possibly before
  // trailing input columns no output needs (taken and dropped) have arrived.
  assign avail        = $signed(rx_q - cbase_q) > $signed(need);
  assign aux_need     = has_aux && j_q == '0;
  assign start_ok     = !busy_q && avail && (occ_q < 2'd2 || pop_now) && (!aux_need || aux_valid_i);
  assign step         = busy_q || start_ok;
  assign step_last_r  = (r_q + 1 == d_nchunk);
  assign step_last_og = (og_q + 1 == d_nog);
  assign last_step    = step && step_last_r && step_last_og;
  assign oldest       = cbase_q + (last_step ? lo_nxt : lo_cur);
  assign in_ready_o   = $signed(rx_q - oldest) < $signed(d_lbuse);
  assign aux_pop_o    = start_ok && aux_need;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rx_q    <= '0;
      cbase_q <= '0;
      j_q     <= '0;
      og_q    <= '0;
      r_q     <= '0;
      busy_q  <= 1'b0;
      occ_q   <= '0;
    end else begin
      if (in_valid_i && in_ready_o) rx_q <= rx_q + 1;
      if (last_step) begin
        busy_q <= 1'b0;
        og_q   <= '0;
        r_q    <= '0;
        if (col_last) begin
          j_q     <= '0;
          cbase_q <= cbase_q + d_lin;
        end else begin
          j_q <= j_q + 1;
        end
      end else if (step) begin
        busy_q <= 1'b1;
        if (step_last_r) begin
          r_q  <= '0;
          og_q <= og_q + 1;
        end else begin
          r_q <= r_q + 1;
        end
      end
      occ_q <= occ_q + 2'(start_ok) - 2'(pop_now);
    end
  end

  always_ff @(posedge clk_i) begin
    if (in_valid_i && in_ready_o) begin
      for (int unsigned c = 0; c < MaxC; c++) lb_q[rx_q[LbAw-1:0]][c] <= in_col_i[c*8 +: 8];
    end
    if (aux_pop_o) begin
      for (int unsigned a = 0; a < AuxDepth; a++) aux_q[a] <= aux_i[a*8 +: 8];
    end
  end

  // ---------------------------------------------------------------------------------------
  // Stage 1: Simd taps per PE from the line buffer (or the aux values), PE array.
  logic [Pe-1:0][Simd-1:0]        lane_en;
  logic [Pe-1:0][Simd-1:0][31:0]  lane_act;
  logic [Simd*8-1:0]              wrow [Pe];
  logic [31:0]                    psum [Pe];
  logic [31:0]                    wrow_addr;

  assign wrow_addr = og_q * d_nchunk + r_q;

  always_comb begin
    for (int unsigned p = 0; p < Pe; p++) begin
      logic [31:0] o, gbase;
      logic        o_ok;
      o     = og_q * Pe + p;
      o_ok  = o < d_cout;
      gbase = (is_dw || d_cout_g == d_cout) ? 32'd0 : (o / d_cout_g) * d_cin_g;
      wrow[p] = wgt_mem[p][wrow_addr[WgtAw-1:0]];
      for (int unsigned s = 0; s < Simd; s++) begin
        logic [31:0]      jj, kk, pos;
        logic [ChAw-1:0]  ch;
        logic [LbAw-1:0]  slot;
        logic [AuxAw-1:0] ai;
        logic             inb;
        jj   = r_q * Simd + s;
        ch   = '0;
        kk   = '0;
        pos  = '0;
        slot = '0;
        ai   = AuxAw'(jj - d_aux_start);
        inb  = 1'b1;
        if (has_aux && jj >= d_aux_start) begin
          lane_act[p][s] = {24'd0, busy_q ? aux_q[ai] : aux_i[ai*8 +: 8]};
        end else begin
          if (is_dw) begin
            ch = ChAw'(o);
            kk = jj;
          end else if (d_k == 32'd1) begin
            ch = ChAw'(gbase + jj);
          end else begin
            ch = ChAw'(gbase + jj / d_k);
            kk = jj % d_k;
          end
          pos  = j_q * d_stride + kk - d_padl;
          inb  = $signed(pos) >= 0 && $signed(pos) < $signed(d_lin);
          slot = LbAw'(cbase_q + pos);
          lane_act[p][s] = inb ? {24'd0, lb_q[slot][ch]} : d_padval;
        end
        // maxpool ignores padded taps; conv uses the pad value
        lane_en[p][s] = jj < d_red && o_ok && (inb || !is_max);
      end
    end
  end

  for (genvar p = 0; p < Pe; p++) begin : g_pe
    seq_pe #(
      .Simd    (Simd),
      .MacKind (seq_pkg::MacInt),
      .WBits   (8)
    ) u_pe (
      .op_i      (is_max ? seq_pkg::OpMax : seq_pkg::OpMac),
      .bin_i     (1'b0),
      .intw_i    (1'b0),
      .lane_en_i (lane_en[p]),
      .act_i     (lane_act[p]),
      .wrow_i    (wrow[p]),
      .psum_o    (psum[p])
    );
  end

  // Stage-1 -> stage-2 pipeline register.
  logic        s1_valid_q, s1_first_q, s1_last_q, s1_final_q;
  logic [31:0] s1_og_q;
  logic [31:0] psum_q [Pe];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s1_first_q <= 1'b0;
      s1_last_q  <= 1'b0;
      s1_final_q <= 1'b0;
      s1_og_q    <= '0;
    end else begin
      s1_valid_q <= step;
      s1_first_q <= (r_q == '0);
      s1_last_q  <= step_last_r;
      s1_final_q <= last_step;
      s1_og_q    <= og_q;
    end
  end

  always_ff @(posedge clk_i) begin
    for (int unsigned p = 0; p < Pe; p++) psum_q[p] <= psum[p];
  end

  // ---------------------------------------------------------------------------------------
  // Stage 2: accumulate over chunks; on the last chunk, requant into the column register;
  // after the last output group, the column goes into the output FIFO.
  logic [31:0]                      acc_q [Pe];
  logic [31:0]                      acc_d [Pe];
  logic [31:0]                      wb_y  [Pe];
  logic [MaxC-1:0][OutBits-1:0]     col_q, col_d;

  logic unused;
  assign unused = ^{wrow_addr[31:WgtAw], s1_og_q[31:ParAw]};

  for (genvar p = 0; p < Pe; p++) begin : g_wb
    logic [31:0] init, prev;
    assign init = is_max ? 32'h8000_0000 :
                  d_ctrl[CtrlHasBias] ? bias_mem[p][s1_og_q[ParAw-1:0]] : 32'd0;
    assign prev = s1_first_q ? init : acc_q[p];
    assign acc_d[p] = is_max ? (($signed(psum_q[p]) > $signed(prev)) ? psum_q[p] : prev)
                             : prev + psum_q[p];
    seq_wb u_wb (
      .ew_i    (d_ctrl[CtrlRequant] ? seq_pkg::EwRequant : seq_pkg::EwNone),
      .x_i     (acc_d[p]),
      .mult_i  (mult_mem[p][s1_og_q[ParAw-1:0]]),
      .shift_i (shift_mem[p][s1_og_q[ParAw-1:0]]),
      .thr_i   (32'd0),
      .dir_i   (1'b0),
      .lo_i    (d_lo),
      .hi_i    (d_hi),
      .y_o     (wb_y[p])
    );
  end

  always_comb begin
    col_d = col_q;
    if (s1_valid_q && s1_last_q) begin
      for (int unsigned p = 0; p < Pe; p++) begin
        if (s1_og_q * Pe + p < d_cout) col_d[ChAw'(s1_og_q * Pe + p)] = wb_y[p][OutBits-1:0];
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (s1_valid_q) begin
      for (int unsigned p = 0; p < Pe; p++) acc_q[p] <= acc_d[p];
    end
    if (s1_valid_q && s1_last_q) col_q <= col_d;
  end

  logic [1:0] fifo_depth;
  logic       fifo_wready;  // always set: occ_q keeps at most 2 columns in flight
  prim_fifo_sync #(
    .Width (MaxC * OutBits),
    .Depth (2)
  ) u_out_fifo (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clr_i    (1'b0),
    .wvalid_i (s1_valid_q && s1_final_q),
    .wready_o (fifo_wready),
    .wdata_i  (col_d),
    .rvalid_o (out_valid_o),
    .rready_i (out_ready_i),
    .rdata_o  (out_col_o),
    .depth_o  (fifo_depth)
  );

  assign rx_o   = rx_q;
  assign col_o  = j_q;
  assign busy_o = busy_q;

  logic unused_depth;
  assign unused_depth = ^{fifo_depth, fifo_wready};

endmodule
