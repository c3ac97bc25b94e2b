# 60 nested Ifs, the deepest statement nesting whose wire blob vyre's
# decoder still accepts (its limit: 64 levels of nodes and expressions
# together, from the top-level record). Lane 0 passes every test and ends
# with s = 60; lane 1 fails the first and never stores (output stays 0).
# >>> expect out = 60 0
# >>> tags: hostile nesting
program workgroup(2) {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    let s = lid.x
    if s == 0 {
      s = s + 1
      if s == 1 {
        s = s + 1
        if s == 2 {
          s = s + 1
          if s == 3 {
            s = s + 1
            if s == 4 {
              s = s + 1
              if s == 5 {
                s = s + 1
                if s == 6 {
                  s = s + 1
                  if s == 7 {
                    s = s + 1
                    if s == 8 {
                      s = s + 1
                      if s == 9 {
                        s = s + 1
                        if s == 10 {
                          s = s + 1
                          if s == 11 {
                            s = s + 1
                            if s == 12 {
                              s = s + 1
                              if s == 13 {
                                s = s + 1
                                if s == 14 {
                                  s = s + 1
                                  if s == 15 {
                                    s = s + 1
                                    if s == 16 {
                                      s = s + 1
                                      if s == 17 {
                                        s = s + 1
                                        if s == 18 {
                                          s = s + 1
                                          if s == 19 {
                                            s = s + 1
                                            if s == 20 {
                                              s = s + 1
                                              if s == 21 {
                                                s = s + 1
                                                if s == 22 {
                                                  s = s + 1
                                                  if s == 23 {
                                                    s = s + 1
                                                    if s == 24 {
                                                      s = s + 1
                                                      if s == 25 {
                                                        s = s + 1
                                                        if s == 26 {
                                                          s = s + 1
                                                          if s == 27 {
                                                            s = s + 1
                                                            if s == 28 {
                                                              s = s + 1
                                                              if s == 29 {
                                                                s = s + 1
                                                                if s == 30 {
                                                                  s = s + 1
                                                                  if s == 31 {
                                                                    s = s + 1
                                                                    if s == 32 {
                                                                      s = s + 1
                                                                      if s == 33 {
                                                                        s = s + 1
                                                                        if s == 34 {
                                                                          s = s + 1
                                                                          if s == 35 {
                                                                            s = s + 1
                                                                            if s == 36 {
                                                                              s = s + 1
                                                                              if s == 37 {
                                                                                s = s + 1
                                                                                if s == 38 {
                                                                                  s = s + 1
                                                                                  if s == 39 {
                                                                                    s = s + 1
                                                                                    if s == 40 {
                                                                                      s = s + 1
                                                                                      if s == 41 {
                                                                                        s = s + 1
                                                                                        if s == 42 {
                                                                                          s = s + 1
                                                                                          if s == 43 {
                                                                                            s = s + 1
                                                                                            if s == 44 {
                                                                                              s = s + 1
                                                                                              if s == 45 {
                                                                                                s = s + 1
                                                                                                if s == 46 {
                                                                                                  s = s + 1
                                                                                                  if s == 47 {
                                                                                                    s = s + 1
                                                                                                    if s == 48 {
                                                                                                      s = s + 1
                                                                                                      if s == 49 {
                                                                                                        s = s + 1
                                                                                                        if s == 50 {
                                                                                                          s = s + 1
                                                                                                          if s == 51 {
                                                                                                            s = s + 1
                                                                                                            if s == 52 {
                                                                                                              s = s + 1
                                                                                                              if s == 53 {
                                                                                                                s = s + 1
                                                                                                                if s == 54 {
                                                                                                                  s = s + 1
                                                                                                                  if s == 55 {
                                                                                                                    s = s + 1
                                                                                                                    if s == 56 {
                                                                                                                      s = s + 1
                                                                                                                      if s == 57 {
                                                                                                                        s = s + 1
                                                                                                                        if s == 58 {
                                                                                                                          s = s + 1
                                                                                                                          if s == 59 {
                                                                                                                            s = s + 1
                                                                                                                            out[lid.x] = s
                                                                                                                          }
                                                                                                                        }
                                                                                                                      }
                                                                                                                    }
                                                                                                                  }
                                                                                                                }
                                                                                                              }
                                                                                                            }
                                                                                                          }
                                                                                                        }
                                                                                                      }
                                                                                                    }
                                                                                                  }
                                                                                                }
                                                                                              }
                                                                                            }
                                                                                          }
                                                                                        }
                                                                                      }
                                                                                    }
                                                                                  }
                                                                                }
                                                                              }
                                                                            }
                                                                          }
                                                                        }
                                                                      }
                                                                    }
                                                                  }
                                                                }
                                                              }
                                                            }
                                                          }
                                                        }
                                                      }
                                                    }
                                                  }
                                                }
                                              }
                                            }
                                          }
                                        }
                                      }
                                    }
                                  }
                                }
                              }
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
