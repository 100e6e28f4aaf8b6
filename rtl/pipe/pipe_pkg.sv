// Shared constants of the line-buffer layer pipeline (`pipe`, docs/engines.md): stage kinds,
// stage descriptor fields, the write-back interval and the register map.
// tb/pipe_program.h and models/src/engine_model.cpp (pipe_timing) mirror these values.
package pipe_pkg;

  // Stage kinds (engine parameter StageKind): how the MAC array reads the line buffer.
  localparam int unsigned KindMac  = 0;  // all PEs share Simd input channels per step (conv, dense)
  localparam int unsigned KindDw   = 1;  // depthwise conv: PE p reads its own channel (Simd = 1)
  localparam int unsigned KindPool = 2;  // maxpool: PE p takes the max over the taps of its channel

  // Write-back: one output value every WbIi cycles (four 16-bit parameter words per channel:
  // bias low, bias high, mult, shift, read one per cycle from one block RAM).
  localparam int unsigned WbIi = 4;

  // Stage descriptor fields: one 16-bit word each (RegionDesc addr[3:0]).
  localparam int unsigned SfCtrl   = 0;   // see Ctrl* bits
  localparam int unsigned SfLin    = 1;   // input columns per beat
  localparam int unsigned SfLout   = 2;   // output columns per beat
  localparam int unsigned SfK      = 3;   // taps (dense: input columns)
  localparam int unsigned SfStride = 4;
  localparam int unsigned SfPadL   = 5;
  localparam int unsigned SfPadVal = 6;   // value of padded taps (conv)
  localparam int unsigned SfCin    = 7;   // input values per column
  localparam int unsigned SfNcc    = 8;   // line-buffer words per tap and output group (KindMac)
  localparam int unsigned SfNaux   = 9;   // aux steps per output group (KindMac after concat_aux)
  localparam int unsigned SfCout   = 10;  // output channels
  localparam int unsigned SfNog    = 11;  // output groups ceil(Cout / Pe)
  localparam int unsigned SfLo     = 12;  // requant clamp (signed)
  localparam int unsigned SfHi     = 13;
  localparam int unsigned SfLbUse  = 14;  // line-buffer columns in use (<= LbCols)
  localparam int unsigned NumSf    = 15;

  // SfCtrl bits.
  localparam int unsigned CtrlRequant = 0;  // fused requant write-back
  localparam int unsigned CtrlHasBias = 1;
  localparam int unsigned CtrlHasAux  = 2;  // the column waits for the beat's aux vector

  // Register/load port: addr[31:28] region, addr[27:24] stage.
  localparam logic [3:0] RegionCsr  = 4'd0;  // CSR word index in addr[7:0]
  localparam logic [3:0] RegionDesc = 4'd1;  // addr[3:0] field
  localparam logic [3:0] RegionWgt  = 4'd2;  // addr[23:10] row, addr[9:0] byte lane (p * Simd + s)
  localparam logic [3:0] RegionPar  = 4'd3;  // addr[15:0] word: channel * 4 + field
  localparam logic [3:0] RegionInfo = 4'd4;  // RO: addr[3:0] Info* field of the stage's hardware

  // Parameter words per output channel (RegionPar addr[1:0]), 16 bits each.
  localparam logic [1:0] ParBiasLo = 2'd0;
  localparam logic [1:0] ParBiasHi = 2'd1;
  localparam logic [1:0] ParMult   = 2'd2;  // signed 16-bit
  localparam logic [1:0] ParShift  = 2'd3;  // 0..47

  // Stage hardware fields (RegionInfo reads).
  localparam logic [3:0] InfoKind    = 4'd0;
  localparam logic [3:0] InfoPe      = 4'd1;
  localparam logic [3:0] InfoSimd    = 4'd2;
  localparam logic [3:0] InfoCin     = 4'd3;  // input channels the line buffer holds
  localparam logic [3:0] InfoCout    = 4'd4;  // output channels the parameter RAM holds
  localparam logic [3:0] InfoWgtRows = 4'd5;  // weight RAM rows
  localparam logic [3:0] InfoLbCols  = 4'd6;  // line-buffer columns

  // CSR word indices.
  localparam logic [7:0] CsrId        = 8'd0;   // RO: IdValue
  localparam logic [7:0] CsrHwParams  = 8'd1;   // RO: [7:0] Pe, [15:8] Simd, [23:16] NumStages
  localparam logic [7:0] CsrLbCols    = 8'd2;   // RO: line-buffer columns per stage
  localparam logic [7:0] CsrMaxC      = 8'd3;   // RO: channels per column
  localparam logic [7:0] CsrCtrl      = 8'd4;   // RW: [0] enable (accept beats)
  localparam logic [7:0] CsrInLen     = 8'd5;   // RW: input samples per beat (L)
  localparam logic [7:0] CsrAuxLen    = 8'd6;   // RW: aux values per beat (A)
  localparam logic [7:0] CsrNClasses  = 8'd7;   // RW: logits of the last stage
  localparam logic [7:0] CsrBeats     = 8'd8;   // RO: results handed out
  localparam logic [7:0] CsrMaxClass  = 8'd9;   // RO: logits in the output word
  localparam logic [7:0] CsrAuxDepth  = 8'd10;  // RO: aux values per beat the engine holds
  localparam logic [7:0] CsrWbIi      = 8'd11;  // RO: WbIi

  localparam logic [31:0] IdValue = 32'hEC65_0003;

endpackage
