// One stage of the line-buffer layer pipeline (`pipe`, docs/engines.md): a conv1d (KindMac:
// any kernel over all input channels, incl. pointwise and a dense layer, whose kernel is its
// whole input, optionally followed by the aux values), a depthwise conv1d (KindDw) or a
// maxpool (KindPool), with its fused requant. Sizes (Kind, Pe, Simd, channels, weight rows,
// line-buffer columns) are parameters, generated per stage from the network by pipe_engine;
// the layer's shape (descriptor), weights and per-channel parameters are written at run time
// through the register/load port.
//
// Memories (prim_ram: synchronous read, 1 read + 1 write port, block RAM):
//   line buffer  LbCols columns x 2^CcAw words of CL = (KindMac ? Simd : Pe) UINT8 channels;
//                written a word at a time from the input value stream, read one word per step
//   weights      WgtRows rows of NLane INT8 weights (KindMac Pe*Simd, KindDw Pe), the order the
//                steps read them; none for KindPool
//   parameters   4 x MaxCout 16-bit words (bias low/high, mult, shift); none for KindPool
// Addresses come from counters: slot = (cbase + tap position) mod LbCols, {slot, word}; the
// weight row counts up over a column.
//
// Control per output column j (see docs/engines.md for the exact rules): start when its last
// input column is in the line buffer, the previous column has left the write-back, the
// consumer has room for a column (out_ready_i) and, for the first column of a dense stage
// after concat_aux, the beat's aux vector is there. Then one step per cycle: per output group
// og (Pe channels), per tap k, per word cc (KindMac), then the aux steps. The last step of an
// output group waits until the write-back can take the group (gap_q).
// Datapath: issue (RAM reads) -> products -> adder tree -> accumulate -> drain register ->
// write-back (one value every WbIi cycles: bias, requant) -> out_valid_o.
module pipe_stage #(
  parameter int unsigned Kind     = 0,
  parameter int unsigned Pe       = 1,
  parameter int unsigned Simd     = 1,
  parameter int unsigned MaxCin   = 32,
  parameter int unsigned MaxCout  = 32,
  parameter int unsigned WgtRows  = 16,   // unused for KindPool
  parameter int unsigned WgtHuge  = 0,    // weights in single-port SPRAM (iCE40 UltraPlus)
  parameter int unsigned LbCols   = 8,    // power of two
  parameter int unsigned AuxDepth = 8,    // power of two
  parameter int unsigned OutBits  = 8
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic [3:0]             stage_i,  // this stage's index on the load port
  // register / load port (this stage's descriptor, weights, parameters)
  input  logic                   reg_we_i,
  input  logic [31:0]            reg_addr_i,
  input  logic [31:0]            reg_wdata_i,
  // input values (one channel of the current input column per handshake)
  input  logic                   in_valid_i,
  output logic                   in_ready_o,
  input  logic [7:0]             in_data_i,
  // aux vector of the beat (UINT8 values), taken when the beat's first column starts
  input  logic                   aux_valid_i,
  input  logic [AuxDepth*8-1:0]  aux_i,
  output logic                   aux_pop_o,
  // output values: a column starts only when out_ready_i (the consumer's line buffer has a
  // free column), then its values come out without stalls
  input  logic                   out_ready_i,
  output logic                   out_valid_o,
  output logic [OutBits-1:0]     out_data_o,
  output logic                   out_last_o,   // last value of the column
  // observation: columns received, output column, busy
  output logic [15:0]            rx_o,
  output logic [15:0]            col_o,
  output logic                   busy_o
);
  localparam int unsigned IsMac   = (Kind == pipe_pkg::KindMac) ? 1 : 0;
  localparam int unsigned IsPool  = (Kind == pipe_pkg::KindPool) ? 1 : 0;
  localparam int unsigned CL      = (IsMac != 0) ? Simd : Pe;  // channels per line-buffer word
  localparam int unsigned NLane   = (IsMac != 0) ? Pe * Simd : Pe;
  localparam int unsigned LaneAw  = (CL > 1) ? $clog2(CL) : 1;
  localparam int unsigned NWords  = (MaxCin + CL - 1) / CL;
  localparam int unsigned CcAw    = (NWords > 1) ? $clog2(NWords) : 1;
  localparam int unsigned LbAw    = (LbCols > 1) ? $clog2(LbCols) : 1;
  localparam int unsigned LbDepth = (1 << LbAw) * (1 << CcAw);
  localparam int unsigned WgtAw   = (WgtRows > 1) ? $clog2(WgtRows) : 1;
  localparam int unsigned ParRows = 4 * MaxCout;
  localparam int unsigned ParAw   = $clog2(ParRows);
  localparam int unsigned ChAw    = (MaxCout > 1) ? $clog2(MaxCout) : 1;
  localparam int unsigned AuxAw   = $clog2(AuxDepth);
  localparam int unsigned WbIi    = pipe_pkg::WbIi;

  // ---------------------------------------------------------------------------------------
  // Descriptor and load port
  logic [15:0] desc_q [pipe_pkg::NumSf];
  logic        sel;
  assign sel = reg_we_i && reg_addr_i[27:24] == stage_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int unsigned f = 0; f < pipe_pkg::NumSf; f++) desc_q[f] <= '0;
    end else if (sel && reg_addr_i[31:28] == pipe_pkg::RegionDesc &&
                 32'(reg_addr_i[3:0]) < pipe_pkg::NumSf) begin
      desc_q[reg_addr_i[3:0]] <= reg_wdata_i[15:0];
    end
  end

  logic [15:0] d_ctrl, d_lin, d_lout, d_k, d_stride, d_padl, d_padval, d_cin, d_ncc, d_naux;
  logic [15:0] d_cout, d_nog, d_lo, d_hi, d_lbuse;
  assign d_ctrl   = desc_q[pipe_pkg::SfCtrl];
  assign d_lin    = desc_q[pipe_pkg::SfLin];
  assign d_lout   = desc_q[pipe_pkg::SfLout];
  assign d_k      = desc_q[pipe_pkg::SfK];
  assign d_stride = desc_q[pipe_pkg::SfStride];
  assign d_padl   = desc_q[pipe_pkg::SfPadL];
  assign d_padval = desc_q[pipe_pkg::SfPadVal];
  assign d_cin    = desc_q[pipe_pkg::SfCin];
  assign d_ncc    = desc_q[pipe_pkg::SfNcc];
  assign d_naux   = desc_q[pipe_pkg::SfNaux];
  assign d_cout   = desc_q[pipe_pkg::SfCout];
  assign d_nog    = desc_q[pipe_pkg::SfNog];
  assign d_lo     = desc_q[pipe_pkg::SfLo];
  assign d_hi     = desc_q[pipe_pkg::SfHi];
  assign d_lbuse  = desc_q[pipe_pkg::SfLbUse];

  logic has_bias, has_aux, do_requant;
  assign do_requant = d_ctrl[pipe_pkg::CtrlRequant];
  assign has_bias   = d_ctrl[pipe_pkg::CtrlHasBias];
  assign has_aux    = d_ctrl[pipe_pkg::CtrlHasAux];

  // ---------------------------------------------------------------------------------------
  // Input side: values of column rx_q fill words of CL channels; a word is written when it is
  // full or the column ends. The column counts as received at the edge that writes its last word.
  logic [15:0]        rx_q, wc_q;
  logic [LaneAw-1:0]  wl_q;
  logic [CcAw-1:0]    ww_q;
  logic [CL*8-1:0]    asm_q, asm_d;
  logic               in_hs, in_col_end, in_word_end;
  logic [15:0]        cbase_q, oldest;
  logic signed [15:0] p0_q;

  assign oldest      = cbase_q + ((p0_q < 0) ? 16'd0 : p0_q);
  assign in_ready_o  = $signed(rx_q - oldest) < $signed(d_lbuse);
  assign in_hs       = in_valid_i && in_ready_o;
  assign in_col_end  = (wc_q == d_cin - 16'd1);
  assign in_word_end = (32'(wl_q) == CL - 1) || in_col_end;

  always_comb begin
    asm_d = asm_q;
    for (int unsigned l = 0; l < CL; l++) begin
      if (32'(wl_q) == l) asm_d[l*8 +: 8] = in_data_i;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rx_q <= '0;
      wc_q <= '0;
      wl_q <= '0;
      ww_q <= '0;
    end else if (in_hs) begin
      if (in_col_end) begin
        rx_q <= rx_q + 16'd1;
        wc_q <= '0;
        wl_q <= '0;
        ww_q <= '0;
      end else begin
        wc_q <= wc_q + 16'd1;
        if (32'(wl_q) == CL - 1) begin
          wl_q <= '0;
          ww_q <= ww_q + 1'b1;
        end else begin
          wl_q <= wl_q + 1'b1;
        end
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (in_hs) asm_q <= asm_d;
  end

  // ---------------------------------------------------------------------------------------
  // Issue: counters of the output column j_q, output group og_q (channel base cho_q), tap k_q
  // (position pk_q), word cc_q, aux step a_q; the weight row wrow_q.
  logic [15:0]        j_q, og_q, k_q, cc_q, a_q, cho_q;
  logic signed [15:0] pk_q;
  logic               aux_ph_q, busy_q, obusy_q;
  logic [WgtAw-1:0]   wrow_q;
  logic [7:0]         gap_q;

  logic        last_k, last_cc, last_a, step_last_og, last_og, col_last, last_step;
  logic        avail, aux_need, start_ok, stall, step, start, first_step;
  logic signed [15:0] need_raw;
  logic [15:0] need, pe_n, ch_left;

  assign last_k       = (k_q == d_k - 16'd1);
  assign last_cc      = (cc_q == d_ncc - 16'd1);
  assign last_a       = (a_q == d_naux - 16'd1);
  assign step_last_og = aux_ph_q ? last_a : (last_k && last_cc && d_naux == '0);
  assign last_og      = (og_q == d_nog - 16'd1);
  assign col_last     = (j_q == d_lout - 16'd1);
  assign last_step    = step_last_og && last_og;
  assign first_step   = !aux_ph_q && k_q == '0 && cc_q == '0;
  assign ch_left      = d_cout - cho_q;
  assign pe_n         = (ch_left < 16'(Pe)) ? ch_left : 16'(Pe);

  // The column's last input column: clamp(j*stride + K - 1 - pad_left, 0, Lin - 1).
  assign need_raw = p0_q + $signed(d_k) - 16'sd1;
  assign need     = (need_raw < 0) ? 16'd0 :
                    ($signed(need_raw) > $signed(d_lin - 16'd1)) ? d_lin - 16'd1 : need_raw;
  // Signed: once a beat's last column is done, cbase_q moves to the next beat, possibly before
  // trailing input columns no output needs (taken and dropped) have arrived.
  assign avail    = $signed(rx_q - cbase_q) > $signed(need);
  assign aux_need = has_aux && j_q == '0;
  assign start_ok = !busy_q && !obusy_q && out_ready_i && avail && (!aux_need || aux_valid_i);
  assign stall    = step_last_og && gap_q != '0;
  assign step     = (busy_q || start_ok) && !stall;
  assign start    = start_ok && !stall;
  assign aux_pop_o = start && aux_need;

  logic out_done;  // the column's last value leaves the write-back this cycle

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      j_q      <= '0;
      og_q     <= '0;
      k_q      <= '0;
      cc_q     <= '0;
      a_q      <= '0;
      cho_q    <= '0;
      aux_ph_q <= 1'b0;
      busy_q   <= 1'b0;
      obusy_q  <= 1'b0;
      wrow_q   <= '0;
      gap_q    <= '0;
      cbase_q  <= '0;
      p0_q     <= '0;
      pk_q     <= '0;
    end else begin
      if (step) begin
        busy_q <= !last_step;
        wrow_q <= last_step ? '0 : wrow_q + 1'b1;
        if (step_last_og) begin
          k_q      <= '0;
          cc_q     <= '0;
          a_q      <= '0;
          aux_ph_q <= 1'b0;
          if (last_og) begin
            og_q  <= '0;
            cho_q <= '0;
            if (col_last) begin
              j_q     <= '0;
              cbase_q <= cbase_q + d_lin;
              p0_q    <= -$signed(d_padl);
              pk_q    <= -$signed(d_padl);
            end else begin
              j_q  <= j_q + 16'd1;
              p0_q <= p0_q + $signed(d_stride);
              pk_q <= p0_q + $signed(d_stride);
            end
          end else begin
            og_q  <= og_q + 16'd1;
            cho_q <= cho_q + 16'(Pe);
            pk_q  <= p0_q;
          end
        end else if (aux_ph_q) begin
          a_q <= a_q + 16'd1;
        end else if (!last_cc) begin
          cc_q <= cc_q + 16'd1;
        end else begin
          cc_q <= '0;
          if (!last_k) begin
            k_q  <= k_q + 16'd1;
            pk_q <= pk_q + 16'sd1;
          end else begin
            aux_ph_q <= 1'b1;
          end
        end
      end
      if (step && step_last_og) gap_q <= 8'(WbIi * pe_n - 1);
      else if (gap_q != '0)     gap_q <= gap_q - 8'd1;
      if (start)         obusy_q <= 1'b1;
      else if (out_done) obusy_q <= 1'b0;
      // A new descriptor (pad_left) sets the first column's tap position.
      if (sel && reg_addr_i[31:28] == pipe_pkg::RegionDesc &&
          reg_addr_i[3:0] == 4'(pipe_pkg::SfPadL)) begin
        p0_q <= -$signed(reg_wdata_i[15:0]);
        pk_q <= -$signed(reg_wdata_i[15:0]);
      end
    end
  end

  // ---------------------------------------------------------------------------------------
  // Memories
  logic [LbAw-1:0]    slot;
  logic               inb;
  logic [CcAw-1:0]    lb_word;
  logic [CL*8-1:0]    lb_rdata;
  logic [NLane*8-1:0] w_rdata;

  assign slot    = LbAw'(cbase_q + pk_q);
  assign inb     = pk_q >= 0 && pk_q < $signed(d_lin);
  assign lb_word = (IsMac != 0) ? CcAw'(cc_q) : CcAw'(og_q);

  prim_ram #(
    .Width    (CL * 8),
    .Depth    (LbDepth),
    .MaskGran (CL * 8)
  ) u_lb (
    .clk_i   (clk_i),
    .we_i    (in_hs && in_word_end),
    .waddr_i ({LbAw'(rx_q), ww_q}),
    .wdata_i (asm_d),
    .wmask_i ('1),
    .re_i    (step),
    .raddr_i ({slot, lb_word}),
    .rdata_o (lb_rdata)
  );

  logic ld_wgt, ld_par;
  assign ld_wgt = sel && reg_addr_i[31:28] == pipe_pkg::RegionWgt &&
                  32'(reg_addr_i[23:10]) < WgtRows && 32'(reg_addr_i[9:0]) < NLane;
  assign ld_par = sel && reg_addr_i[31:28] == pipe_pkg::RegionPar &&
                  32'(reg_addr_i[15:0]) < ParRows;

  if (IsPool == 0) begin : g_wgt
    logic [NLane*8-1:0] w_mask;  // the lane (byte) the load port addresses
    always_comb begin
      for (int unsigned l = 0; l < NLane; l++) w_mask[l*8 +: 8] = {8{32'(reg_addr_i[9:0]) == l}};
    end
    prim_ram #(
      .Width    (NLane * 8),
      .Depth    (WgtRows),
      .Huge     (WgtHuge),
      // a few wide rows (over 256 bits): block RAM, not flip-flops
      .Block    ((WgtRows < 8 && WgtRows * NLane * 8 > 256) ? 1 : 0),
      .MaskGran (8)
    ) u_wgt (
      .clk_i   (clk_i),
      .we_i    (ld_wgt),
      .waddr_i (WgtAw'(reg_addr_i[23:10])),
      .wdata_i ({NLane{reg_wdata_i[7:0]}}),
      .wmask_i (w_mask),
      .re_i    (step),
      .raddr_i (wrow_q),
      .rdata_o (w_rdata)
    );
  end else begin : g_no_wgt
    assign w_rdata = '0;
    logic unused_wgt;
    assign unused_wgt = ^{ld_wgt, wrow_q};
  end

  // ---------------------------------------------------------------------------------------
  // Pipeline: s1 (RAM data) -> s2 (products) -> s3 (partial sums) -> accumulate
  logic        s1_v_q, s1_inb_q, s1_aux_q, s1_first_q, s1_lastog_q, s1_lastcol_q;
  logic [AuxAw-1:0] s1_a_q;
  logic [15:0] s1_pen_q, s1_cho_q;
  logic        s2_v_q, s2_first_q, s2_lastog_q, s2_lastcol_q;
  logic [15:0] s2_pen_q, s2_cho_q;
  logic        s3_v_q, s3_first_q, s3_lastog_q, s3_lastcol_q;
  logic [15:0] s3_pen_q, s3_cho_q;
  logic [7:0]  aux_q [AuxDepth];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_v_q <= 1'b0;
      s2_v_q <= 1'b0;
      s3_v_q <= 1'b0;
    end else begin
      s1_v_q <= step;
      s2_v_q <= s1_v_q;
      s3_v_q <= s2_v_q;
    end
  end

  always_ff @(posedge clk_i) begin
    s1_inb_q     <= inb;
    s1_aux_q     <= aux_ph_q;
    s1_a_q       <= AuxAw'(a_q << $clog2(Simd));  // first aux value of the step
    s1_first_q   <= first_step;
    s1_lastog_q  <= step_last_og;
    s1_lastcol_q <= last_step;
    s1_pen_q     <= pe_n;
    s1_cho_q     <= cho_q;
    s2_first_q   <= s1_first_q;
    s2_lastog_q  <= s1_lastog_q;
    s2_lastcol_q <= s1_lastcol_q;
    s2_pen_q     <= s1_pen_q;
    s2_cho_q     <= s1_cho_q;
    s3_first_q   <= s2_first_q;
    s3_lastog_q  <= s2_lastog_q;
    s3_lastcol_q <= s2_lastcol_q;
    s3_pen_q     <= s2_pen_q;
    s3_cho_q     <= s2_cho_q;
    if (aux_pop_o) begin
      for (int unsigned a = 0; a < AuxDepth; a++) aux_q[a] <= aux_i[a*8 +: 8];
    end
  end

  // s1: activations of the lanes (line-buffer word, pad value or aux values) and products.
  localparam int unsigned NAct = (IsMac != 0) ? Simd : Pe;
  logic [7:0]          act [NAct];
  logic signed [16:0]  prod_d [NLane];
  logic signed [16:0]  prod_q [NLane];
  logic [NAct-1:0]     act_ok_q;  // KindPool: the tap is inside the input (padded taps ignored)

  always_comb begin
    for (int unsigned s = 0; s < NAct; s++) begin
      logic [AuxAw:0] ai;
      ai = {1'b0, s1_a_q} + (AuxAw+1)'(s);
      if (s1_aux_q) act[s] = (32'(ai) < AuxDepth) ? aux_q[ai[AuxAw-1:0]] : 8'd0;
      else if (s1_inb_q) act[s] = lb_rdata[s*8 +: 8];
      else act[s] = d_padval[7:0];
    end
    for (int unsigned l = 0; l < NLane; l++) begin
      prod_d[l] = $signed({1'b0, act[(IsMac != 0) ? l % Simd : l]}) *
                  $signed({{9{w_rdata[l*8+7]}}, w_rdata[l*8 +: 8]});
      if (IsPool != 0) prod_d[l] = $signed({9'd0, act[l]});
    end
  end

  always_ff @(posedge clk_i) begin
    for (int unsigned l = 0; l < NLane; l++) prod_q[l] <= prod_d[l];
    act_ok_q <= {NAct{s1_inb_q}};
  end

  // s2: adder tree per PE (KindMac: Simd products; others: one lane per PE).
  logic signed [31:0] psum_d [Pe];
  logic signed [31:0] psum_q [Pe];
  logic [Pe-1:0]      ok_q;
  always_comb begin
    for (int unsigned p = 0; p < Pe; p++) begin
      psum_d[p] = '0;
      if (IsMac != 0) begin
        for (int unsigned s = 0; s < Simd; s++) psum_d[p] = psum_d[p] + 32'(prod_q[p * Simd + s]);
      end else begin
        psum_d[p] = 32'(prod_q[p]);
      end
    end
  end

  always_ff @(posedge clk_i) begin
    for (int unsigned p = 0; p < Pe; p++) psum_q[p] <= psum_d[p];
    for (int unsigned p = 0; p < Pe; p++) ok_q[p] <= (IsPool == 0) || act_ok_q[(IsPool != 0) ? p : 0];
  end

  // s3: accumulate (maxpool: max; a padded tap contributes nothing); the last step of an output
  // group loads the drain register with the group's Pe results.
  logic signed [31:0] acc_q [Pe];
  logic signed [31:0] acc_d [Pe];
  always_comb begin
    for (int unsigned p = 0; p < Pe; p++) begin
      if (IsPool != 0) begin
        logic signed [31:0] v;
        v = ok_q[p] ? psum_q[p] : 32'sh8000_0000;
        acc_d[p] = (s3_first_q || v > acc_q[p]) ? v : acc_q[p];
      end else begin
        acc_d[p] = (s3_first_q ? 32'sd0 : acc_q[p]) + psum_q[p];
      end
    end
  end

  logic [31:0] dr_q [Pe];
  logic [15:0] dr_n_q, dr_ch_q;
  logic        dr_last_q;
  logic [2:0]  ph_q;
  logic        emit;
  assign emit = dr_n_q != '0 && (ph_q == 3'd0 || ph_q == 3'(WbIi));

  always_ff @(posedge clk_i) begin
    if (s3_v_q) begin
      for (int unsigned p = 0; p < Pe; p++) acc_q[p] <= acc_d[p];
    end
    if (s3_v_q && s3_lastog_q) begin
      for (int unsigned p = 0; p < Pe; p++) dr_q[p] <= acc_d[p];
    end else if (emit) begin
      for (int unsigned p = 0; p + 1 < Pe; p++) dr_q[p] <= dr_q[p+1];
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      dr_n_q    <= '0;
      dr_ch_q   <= '0;
      dr_last_q <= 1'b0;
    end else if (s3_v_q && s3_lastog_q) begin
      dr_n_q    <= s3_pen_q;
      dr_ch_q   <= s3_cho_q;
      dr_last_q <= s3_lastcol_q;
    end else if (emit) begin
      dr_n_q  <= dr_n_q - 16'd1;
      dr_ch_q <= dr_ch_q + 16'd1;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Write-back: WbIi phases per value, one parameter word read per phase.
  //   emit (ph 0|4): x = drain head, read bias low | ph 1: read bias high | ph 2: sum = x + bias,
  //   read mult | ph 3: prod = sum * mult, read shift | ph 4: requant, out_valid_o.
  logic [31:0]        wx_q, sum_q;
  logic [15:0]        blo_q, prd;
  logic [ChAw-1:0]    wch_q;
  logic               wlast_q;
  logic signed [47:0] mprod_q;
  logic [ParAw-1:0]   par_raddr;
  logic               par_re;

  always_comb begin
    par_re    = emit || (ph_q != 3'd0 && ph_q != 3'(WbIi));
    par_raddr = {ChAw'(dr_ch_q), 2'd0};
    unique case (ph_q)
      3'd1:    par_raddr = {wch_q, 2'd1};
      3'd2:    par_raddr = {wch_q, 2'd2};
      3'd3:    par_raddr = {wch_q, 2'd3};
      default: par_raddr = {ChAw'(dr_ch_q), 2'd0};
    endcase
  end

  if (IsPool == 0) begin : g_par
    prim_ram #(
      .Width    (16),
      .Depth    (ParRows),
      .MaskGran (16)
    ) u_par (
      .clk_i   (clk_i),
      .we_i    (ld_par),
      .waddr_i (ParAw'(reg_addr_i[15:0])),
      .wdata_i (reg_wdata_i[15:0]),
      .wmask_i ('1),
      .re_i    (par_re),
      .raddr_i (par_raddr),
      .rdata_o (prd)
    );
  end else begin : g_no_par
    assign prd = '0;
    logic unused_par;
    assign unused_par = ^{ld_par, par_re, par_raddr};
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ph_q <= '0;
    end else if (emit) begin
      ph_q <= 3'd1;
    end else if (ph_q == 3'(WbIi)) begin
      ph_q <= '0;
    end else if (ph_q != 3'd0) begin
      ph_q <= ph_q + 3'd1;
    end
  end

  always_ff @(posedge clk_i) begin
    if (emit) begin
      wx_q    <= dr_q[0];
      wch_q   <= ChAw'(dr_ch_q);
      wlast_q <= dr_last_q && dr_n_q == 16'd1;
    end
    if (ph_q == 3'd1) blo_q <= prd;
    if (ph_q == 3'd2) sum_q <= wx_q + (has_bias ? {prd, blo_q} : 32'd0);
    if (ph_q == 3'd3) mprod_q <= $signed(sum_q) * $signed(prd);
  end

  // Requant: clamp((prod + (shift > 0 ? 1 << (shift-1) : 0)) >>> shift, lo, hi); the 32 x 16
  // product and the rounding term fit 48 bits.
  logic [5:0]         shift;
  logic signed [48:0] rnd, scaled;
  logic signed [31:0] y;
  assign shift  = prd[5:0];
  assign rnd    = (shift == '0) ? 49'sd0 : (49'sd1 <<< (shift - 6'd1));
  assign scaled = ($signed({mprod_q[47], mprod_q}) + rnd) >>> shift;
  always_comb begin
    if (!do_requant)                                  y = $signed(sum_q);
    else if (scaled < 49'($signed(d_lo)))             y = 32'($signed(d_lo));
    else if (scaled > 49'($signed(d_hi)))             y = 32'($signed(d_hi));
    else                                              y = scaled[31:0];
  end

  assign out_valid_o = (ph_q == 3'(WbIi));
  assign out_data_o  = OutBits'(y);
  assign out_last_o  = wlast_q;
  assign out_done    = out_valid_o && wlast_q;

  assign rx_o   = rx_q;
  assign col_o  = j_q;
  assign busy_o = busy_q;

  logic unused;
  assign unused = ^{prd[15:6], reg_wdata_i[31:16], d_padval[15:8], y};

endmodule
