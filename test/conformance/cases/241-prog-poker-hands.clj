(defn rank-counts [hand] (sort > (vals (frequencies (map first hand)))))
(defn classify [hand]
  (let [counts (rank-counts hand) flush? (apply = (map second hand))]
    (cond flush? :flush
          (= counts [4 1]) :four
          (= counts [3 2]) :full-house
          (= counts [3 1 1]) :three
          (= counts [2 2 1]) :two-pair
          (= counts [2 1 1 1]) :pair
          :else :high)))
(prn (map classify [[[2 :h] [2 :d] [2 :s] [5 :c] [5 :h]]
                    [[3 :h] [7 :h] [9 :h] [11 :h] [13 :h]]
                    [[4 :s] [4 :d] [8 :c] [8 :h] [10 :s]]
                    [[2 :s] [5 :d] [8 :c] [10 :h] [13 :s]]]))
