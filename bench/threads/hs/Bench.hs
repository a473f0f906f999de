-- GHC baselines for bench/threads (MVar ping-pong and forkIO spawn), timed
-- inside and printed in the units of the .atl programs. The work runs in an
-- unbound thread: the threaded RTS's main thread is bound to its OS thread,
-- and every hand-off with it would be an OS context switch.
--   bench pingpong N   ns per round trip
--   bench spawn N      ps per thread
import Control.Concurrent
import Control.Monad
import GHC.Clock (getMonotonicTimeNSec)
import System.Environment

pong :: MVar Int -> MVar Int -> Int -> IO ()
pong ping back n = replicateM_ n $ do
  v <- takeMVar ping
  putMVar back $! v + 1

rally :: MVar Int -> MVar Int -> Int -> Int -> IO Int
rally _ _ 0 acc = return acc
rally ping back n acc = do
  putMVar ping n
  v <- takeMVar back
  rally ping back (n - 1) $! acc + v

collect :: MVar Int -> Int -> Int -> IO Int
collect _ 0 acc = return acc
collect box k acc = do
  v <- takeMVar box
  collect box (k - 1) $! acc + v

main :: IO ()
main = runInUnboundThread $ do
  [what, count] <- getArgs
  let n = read count :: Int
  case what of
    "pingpong" -> do
      ping <- newEmptyMVar
      back <- newEmptyMVar
      _ <- forkIO (pong ping back n)
      t0 <- getMonotonicTimeNSec
      s <- rally ping back n 0
      t1 <- getMonotonicTimeNSec
      print (if s == n * (n + 1) `div` 2 + n then fromIntegral (t1 - t0) * 1000 `div` n else -1)
    "spawn" -> do
      box <- newEmptyMVar
      t0 <- getMonotonicTimeNSec
      forM_ [1 .. n] $ \_ -> forkIO (putMVar box 1)
      s <- collect box n 0
      t1 <- getMonotonicTimeNSec
      print (if s == n then fromIntegral (t1 - t0) * 1000 `div` n else -1)
    _ -> error "bench pingpong|spawn N"
