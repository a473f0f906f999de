-- Word frequencies in Haskell (GHC -O2): the file's words (ByteString),
-- counted in a strict Data.Map, the ten most frequent printed (ties in
-- alphabetical order). Same output as wordfreq.atl, .c and .ml.
{-# LANGUAGE BangPatterns #-}
import qualified Data.ByteString.Char8 as B
import Data.List (foldl', sortBy)
import qualified Data.Map.Strict as M
import System.Environment (getArgs)

main :: IO ()
main = do
  [path] <- getArgs
  text <- B.readFile path
  let step (!n, !m) w = (n + 1, M.insertWith (+) w (1 :: Int) m)
      (total, counts) = foldl' step (0 :: Int, M.empty) (B.words text)
      byCount (v, n) (w, m) = compare m n <> compare v w
  putStrLn (show total ++ " words, " ++ show (M.size counts) ++ " distinct")
  mapM_ (\(w, n) -> putStrLn (B.unpack w ++ " " ++ show n))
        (take 10 (sortBy byCount (M.toList counts)))
