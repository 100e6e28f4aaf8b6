// Balanced adder tree: the sum of N operands of InW bits in ceil(log2 N) adder levels
// (a heap of 2N-1 nodes: node i = node 2i+1 + node 2i+2, leaves N-1 .. 2N-2), instead of
// the N-deep chain a for-loop sum synthesizes to. Operands are signed when Signed = 1
// (unsigned with InW = 1 makes it a popcount). Combinational; the caller registers.
module prim_adder_tree #(
  parameter int unsigned N      = 8,
  parameter int unsigned InW    = 8,
  parameter bit          Signed = 1'b1,
  localparam int unsigned OutW  = InW + ((N > 1) ? $clog2(N) : 0) + (Signed ? 0 : 1)
) (
  input  logic [N*InW-1:0] in_i,
  output logic [OutW-1:0]  sum_o
);
  logic [OutW-1:0] node [2*N-1] /* verilator split_var */;

  for (genvar l = 0; l < N; l++) begin : g_leaf
    if (Signed) begin : g_s
      assign node[N-1+l] = OutW'($signed(in_i[l*InW +: InW]));
    end else begin : g_u
      assign node[N-1+l] = OutW'(in_i[l*InW +: InW]);
    end
  end
  for (genvar i = 0; i + 1 < N; i++) begin : g_node
    assign node[i] = node[2*i+1] + node[2*i+2];
  end
  assign sum_o = node[0];
endmodule
