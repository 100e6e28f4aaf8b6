// Shared constants of the layer-sequential engine (`seq`): MAC flavours, layer-descriptor
// fields, register map. tb/seq_program.h mirrors these values for the loader.
package seq_pkg;

  // MAC flavours (parameter MacKind).
  localparam int unsigned MacInt  = 0;  // signed INT<WBits> weights: multiply (INT4, INT2)
  localparam int unsigned MacXnor = 1;  // binary weights (+1 = bit 1): XNOR-popcount / add-sub
  localparam int unsigned MacPow2 = 2;  // power-of-two codes: shift-add

  // Pass operations (descriptor field DfCtrl[1:0]).
  localparam logic [1:0] OpMac = 2'd0;  // conv1d / dense: sum of act * w
  localparam logic [1:0] OpMax = 2'd1;  // maxpool (padded taps ignored); k=1 gives a copy
  localparam logic [1:0] OpSum = 2'd2;  // gsum

  // Element-wise write-back (descriptor field DfCtrl[5:4]).
  localparam logic [1:0] EwNone    = 2'd0;
  localparam logic [1:0] EwRequant = 2'd1;
  localparam logic [1:0] EwThresh  = 2'd2;

  // DfCtrl bits.
  localparam int unsigned CtrlDw      = 2;  // depthwise addressing: input channel = output channel
  localparam int unsigned CtrlBin     = 3;  // binary (+-1) activations: XNOR-popcount path
  localparam int unsigned CtrlHasBias = 6;
  localparam int unsigned CtrlHasAux  = 7;  // flattened index >= DfAuxStart reads the aux values
  localparam int unsigned CtrlIntW    = 8;  // MacXnor engines: INT<WBits> weights (e.g. an INT8 head)

  // Layer-descriptor fields: one 32-bit word each, DescStride words per pass.
  localparam int unsigned DfCtrl     = 0;
  localparam int unsigned DfLin      = 1;   // input length (per channel; dense: flattened size)
  localparam int unsigned DfCout     = 2;   // output channels
  localparam int unsigned DfLout     = 3;   // output length
  localparam int unsigned DfK        = 4;   // taps per input channel (dense: flattened size)
  localparam int unsigned DfStride   = 5;
  localparam int unsigned DfPadL     = 6;
  localparam int unsigned DfPadVal   = 7;   // value of padded taps (signed)
  localparam int unsigned DfRed      = 8;   // reduction length per output (Cin/groups*K)
  localparam int unsigned DfCinG     = 9;   // input channels per group
  localparam int unsigned DfCoutG    = 10;  // output channels per group
  localparam int unsigned DfNChunk   = 11;  // ceil(DfRed / Simd)
  localparam int unsigned DfNOg      = 12;  // ceil(DfCout / Pe)
  localparam int unsigned DfWBase    = 13;  // first weight row (per bank)
  localparam int unsigned DfPBase    = 14;  // first parameter entry (per bank)
  localparam int unsigned DfLo       = 15;  // requant clamp / threshold outputs
  localparam int unsigned DfHi       = 16;
  localparam int unsigned DfAuxStart = 17;
  localparam int unsigned NumDf      = 18;
  localparam int unsigned DescStride = 32;

  // Register/load port: address bits [31:28] select the region.
  localparam logic [3:0] RegionCsr  = 4'd0;  // CSR word index in addr[7:0]
  localparam logic [3:0] RegionDesc = 4'd1;  // addr[15:0] = pass * DescStride + field
  localparam logic [3:0] RegionWgt  = 4'd2;  // addr[27:22] bank, addr[21:6] row, addr[5:0] lane
  localparam logic [3:0] RegionPar  = 4'd3;  // addr[27:22] bank, addr[21:19] field, addr[15:0] index

  // Parameter fields (RegionPar addr[21:19]), per output channel.
  localparam logic [2:0] ParBias  = 3'd0;
  localparam logic [2:0] ParMult  = 3'd1;
  localparam logic [2:0] ParShift = 3'd2;
  localparam logic [2:0] ParThr   = 3'd3;
  localparam logic [2:0] ParDir   = 3'd4;  // 1: y = x >= t ? hi : lo; 0: y = x <= t ? hi : lo

  // CSR word indices.
  localparam logic [7:0] CsrId        = 8'd0;   // RO: IdValue
  localparam logic [7:0] CsrHwParams  = 8'd1;   // RO: [7:0] Pe, [15:8] Simd, [19:16] MacKind, [27:20] WBits
  localparam logic [7:0] CsrActDepth  = 8'd2;   // RO
  localparam logic [7:0] CsrWgtRows   = 8'd3;   // RO
  localparam logic [7:0] CsrParDepth  = 8'd4;   // RO
  localparam logic [7:0] CsrDescDepth = 8'd5;   // RO: passes the descriptor table holds
  localparam logic [7:0] CsrCtrl      = 8'd6;   // RW: [0] enable (accept beats)
  localparam logic [7:0] CsrNPass     = 8'd7;   // RW: passes per beat
  localparam logic [7:0] CsrInLen    = 8'd8;    // RW: input samples per beat (L)
  localparam logic [7:0] CsrAuxLen    = 8'd9;   // RW: aux values per beat (A)
  localparam logic [7:0] CsrStatus    = 8'd10;  // RO: [3:0] FSM state, [15:8] current pass
  localparam logic [7:0] CsrBeats     = 8'd11;  // RO: beats completed
  localparam logic [7:0] CsrCycLast   = 8'd12;  // RO: cycles of the last beat (first sample .. output handshake)
  localparam logic [7:0] CsrMaxClass  = 8'd13;  // RO: logits in the output word

  localparam logic [31:0] IdValue = 32'hEC65_0001;

endpackage
