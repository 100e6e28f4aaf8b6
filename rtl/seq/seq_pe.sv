// One processing element of the seq engine's MAC array: Simd lanes per cycle, reduced to one
// partial result. The lane operation is the MAC flavour (MacKind) for OpMac, a max for OpMax
// (maxpool) and a plain sum for OpSum (gsum). Lanes with lane_en_i low contribute nothing.
module seq_pe import seq_pkg::*; #(
  parameter int unsigned Simd    = 8,
  parameter int unsigned MacKind = MacInt,
  parameter int unsigned WBits   = 4
) (
  input  logic [1:0]             op_i,
  input  logic                   bin_i,     // +-1 activations: XNOR-popcount (MacXnor only)
  input  logic                   intw_i,    // MacXnor only: INT<WBits> weights, multiply
  input  logic [Simd-1:0]        lane_en_i,
  input  logic [Simd-1:0][31:0]  act_i,
  input  logic [Simd*WBits-1:0]  wrow_i,
  output logic [31:0]            psum_o
);
  logic signed [31:0] prod [Simd];

  // Lane products of the MAC flavour.
  for (genvar s = 0; s < Simd; s++) begin : g_lane
    logic [WBits-1:0] w;
    assign w = wrow_i[s*WBits +: WBits];
    if (MacKind == MacXnor) begin : g_bin
      // Binary weight: bit 1 is +1, bit 0 is -1 (add or subtract the activation); layers
      // with integer weights (a BNN's INT8 classifier head) use the lane's multiplier.
      assign prod[s] = intw_i ? $signed(act_i[s]) * 32'($signed(w)) :
                       w[0]   ? $signed(act_i[s]) : -$signed(act_i[s]);
    end else if (MacKind == MacPow2) begin : g_pow2
      // Code {sign, e+1}; e+1 == 0 encodes the weight 0. Product = +-(act << e).
      logic [WBits-2:0] e1;
      logic signed [31:0] shifted;
      assign e1 = w[WBits-2:0];
      assign shifted = (e1 == '0) ? 32'sd0 : ($signed(act_i[s]) <<< (e1 - 1'b1));
      assign prod[s] = w[WBits-1] ? -shifted : shifted;
    end else begin : g_int
      assign prod[s] = $signed(act_i[s]) * 32'($signed(w));
    end
  end

  // XNOR-popcount for binary activations: bit 1 encodes +1 for both operands (an activation's
  // bit is its inverted sign); a lane's product is +1 when the bits agree (XNOR), so
  // sum = 2*popcount(match) - lanes.
  logic [Simd-1:0] xnor_match;
  for (genvar s = 0; s < Simd; s++) begin : g_xnor
    assign xnor_match[s] = ~(~act_i[s][31] ^ wrow_i[s*WBits]);
  end

  always_comb begin
    logic signed [31:0] acc;
    logic [31:0] ones, lanes;
    acc = (op_i == OpMax) ? 32'sh8000_0000 : 32'sd0;
    ones = '0;
    lanes = '0;
    for (int unsigned s = 0; s < Simd; s++) begin
      if (lane_en_i[s]) begin
        unique case (op_i)
          OpMax:   acc = ($signed(act_i[s]) > acc) ? $signed(act_i[s]) : acc;
          OpSum:   acc = acc + $signed(act_i[s]);
          default: acc = acc + prod[s];
        endcase
        ones = ones + 32'(xnor_match[s]);
        lanes = lanes + 32'd1;
      end
    end
    if (MacKind == MacXnor && bin_i && !intw_i && op_i == OpMac) begin
      psum_o = (ones << 1) - lanes;
    end else begin
      psum_o = acc;
    end
  end
endmodule
