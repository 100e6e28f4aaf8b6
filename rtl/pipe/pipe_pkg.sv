// Shared constants of the line-buffer layer pipeline (`pipe`, docs/engines.md): stage
// descriptor fields and the register map. tb/pipe_program.h mirrors these values.
package pipe_pkg;

  // Stage descriptor fields: one 32-bit word each (RegionDesc addr[4:0]).
  localparam int unsigned SfCtrl     = 0;   // see Ctrl* bits
  localparam int unsigned SfLin      = 1;   // input columns per beat
  localparam int unsigned SfCout     = 2;   // output channels
  localparam int unsigned SfLout     = 3;   // output columns per beat
  localparam int unsigned SfK        = 4;   // taps (dense: input columns)
  localparam int unsigned SfStride   = 5;
  localparam int unsigned SfPadL     = 6;
  localparam int unsigned SfPadVal   = 7;   // value of padded taps (conv)
  localparam int unsigned SfRed      = 8;   // reduction length per output (Cin/groups*K (+ aux))
  localparam int unsigned SfCinG     = 9;   // input channels per group
  localparam int unsigned SfCoutG    = 10;  // output channels per group
  localparam int unsigned SfNChunk   = 11;  // ceil(SfRed / Simd)
  localparam int unsigned SfNOg      = 12;  // ceil(SfCout / Pe)
  localparam int unsigned SfLo       = 13;  // requant clamp
  localparam int unsigned SfHi       = 14;
  localparam int unsigned SfAuxStart = 15;  // reduction index of the first aux value
  localparam int unsigned SfLbUse    = 16;  // line-buffer columns in use (<= LbCols)
  localparam int unsigned NumSf      = 17;

  // SfCtrl bits.
  localparam int unsigned CtrlMax     = 0;  // maxpool (padded taps ignored); else MAC
  localparam int unsigned CtrlDw      = 1;  // depthwise addressing: input channel = output channel
  localparam int unsigned CtrlRequant = 2;  // fused requant write-back
  localparam int unsigned CtrlHasBias = 3;
  localparam int unsigned CtrlHasAux  = 4;  // reduction index >= SfAuxStart reads the aux values

  // Register/load port: addr[31:28] region, addr[27:24] stage.
  localparam logic [3:0] RegionCsr  = 4'd0;  // CSR word index in addr[7:0]
  localparam logic [3:0] RegionDesc = 4'd1;  // addr[4:0] field
  localparam logic [3:0] RegionWgt  = 4'd2;  // addr[23:20] bank, addr[19:6] row, addr[5:0] lane
  localparam logic [3:0] RegionPar  = 4'd3;  // addr[23:20] bank, addr[19:17] field, addr[15:0] index

  // Parameter fields (RegionPar addr[19:17]), per output channel.
  localparam logic [2:0] ParBias  = 3'd0;
  localparam logic [2:0] ParMult  = 3'd1;
  localparam logic [2:0] ParShift = 3'd2;

  // CSR word indices.
  localparam logic [7:0] CsrId        = 8'd0;   // RO: IdValue
  localparam logic [7:0] CsrHwParams  = 8'd1;   // RO: [7:0] Pe, [15:8] Simd, [23:16] NumStages
  localparam logic [7:0] CsrLbCols    = 8'd2;   // RO: line-buffer columns per stage
  localparam logic [7:0] CsrWgtRows   = 8'd3;   // RO: weight rows per PE bank per stage
  localparam logic [7:0] CsrParDepth  = 8'd4;   // RO
  localparam logic [7:0] CsrMaxC      = 8'd5;   // RO: channels per column
  localparam logic [7:0] CsrCtrl      = 8'd6;   // RW: [0] enable (accept beats)
  localparam logic [7:0] CsrInLen     = 8'd7;   // RW: input samples per beat (L)
  localparam logic [7:0] CsrAuxLen    = 8'd8;   // RW: aux values per beat (A)
  localparam logic [7:0] CsrNClasses  = 8'd9;   // RW: logits of the last stage
  localparam logic [7:0] CsrBeats     = 8'd10;  // RO: results handed out
  localparam logic [7:0] CsrMaxClass  = 8'd11;  // RO: logits in the output word
  localparam logic [7:0] CsrAuxDepth  = 8'd12;  // RO: aux values per beat the engine holds

  localparam logic [31:0] IdValue = 32'hEC65_0002;

endpackage
