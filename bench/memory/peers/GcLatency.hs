-- The gc-latency workload (bench/memory/gc_latency.atl) in Haskell: a boxed
-- mutable window receives fresh 1 KiB ByteStrings; every push is timed.
-- Run with +RTS --nonmoving-gc for the non-moving collector. One JSON line.
import Control.Exception (evaluate)
import Control.Monad (forM_)
import qualified Data.ByteString as B
import Data.Array.IO (IOArray, IOUArray, newArray, writeArray, getElems)
import Data.List (sort)
import GHC.Clock (getMonotonicTimeNSec)
import System.Environment (getArgs)
import Text.Printf (printf)

main :: IO ()
main = do
  as <- getArgs
  let messages = case as of (m : _) -> read m; _ -> 1000000 :: Int
      window = case as of (_ : w : _) -> read w; _ -> 200000 :: Int
      mode = case as of (_ : _ : n : _) -> n; _ -> "ghc"
  slots <- newArray (0, window - 1) B.empty :: IO (IOArray Int B.ByteString)
  push <- newArray (0, messages - 1) 0 :: IO (IOUArray Int Int)
  start <- getMonotonicTimeNSec
  forM_ [0 .. messages - 1] $ \i -> do
    t0 <- getMonotonicTimeNSec
    m <- evaluate (B.replicate 1024 (fromIntegral (97 + i `mod` 26)))
    writeArray slots (i `mod` window) m
    t1 <- getMonotonicTimeNSec
    writeArray push i (fromIntegral (t1 - t0))
  finish <- getMonotonicTimeNSec
  ps <- sort <$> getElems push
  let q x = fromIntegral (ps !! floor (x * fromIntegral (messages - 1))) / 1e6 :: Double
  printf "{\"mode\":\"%s\",\"wall_ms\":%.3f,\"push_p50_ms\":%.6f,\"push_p90_ms\":%.6f,\"push_p99_ms\":%.6f,\"push_p999_ms\":%.6f,\"push_p9999_ms\":%.6f,\"push_max_ms\":%.6f}\n"
    mode (fromIntegral (finish - start) / 1e6 :: Double) (q 0.5) (q 0.9) (q 0.99) (q 0.999) (q 0.9999)
    (fromIntegral (last ps) / 1e6 :: Double)
